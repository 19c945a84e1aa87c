import { defineRule } from '../../rule.ts';
import { str } from '#core/model/json';
import { callName, cloudTrailSubject, describeCaller, outcome, showsIntent } from './subject.ts';

export const instanceSecrets = defineRule<'cloudtrail'>({
  id: 'cloudtrail.instance-secrets',
  title: 'Instance password or user data read',
  description: 'Windows passwords and user data scripts hold credentials; reading them from the API is credential hunting.',
  source: 'cloudtrail',
  objective: { tactic: 'Credential Access (TA0006)', technique: 'T1552.005 Cloud Instance Metadata API' },
  severity: 'low',
  watches: { calls: ['ec2.amazonaws.com:GetPasswordData', 'ec2.amazonaws.com:DescribeInstanceAttribute'] },
  canMatch: (call) => call === 'ec2.amazonaws.com:GetPasswordData' || call === 'ec2.amazonaws.com:DescribeInstanceAttribute',
  match(event) {
    if (event.eventSource !== 'ec2.amazonaws.com' || !showsIntent(event)) return undefined;
    const userData = event.eventName === 'DescribeInstanceAttribute' && str(event.requestParameters?.attribute) === 'userData';
    if (event.eventName !== 'GetPasswordData' && !userData) return undefined;
    return {
      summary: `${describeCaller(event)} called ${callName(event)}${userData ? ' for userData' : ''}${outcome(event)}`,
      subject: cloudTrailSubject(event),
    };
  },
});
