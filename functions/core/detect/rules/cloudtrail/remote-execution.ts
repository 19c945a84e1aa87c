import type { Severity } from '#core/model/signal';
import { defineRule } from '../../rule.ts';
import { callName, cloudTrailSubject, describeCaller, tookEffect } from './subject.ts';

// Ways into a running instance without its network: routine for admins, so context unless odd.
const REMOTE_ACCESS: Record<string, Severity> = {
  'ssm.amazonaws.com:SendCommand': 'low',
  'ssm.amazonaws.com:StartSession': 'low',
  'ec2-instance-connect.amazonaws.com:SendSSHPublicKey': 'low',
  'ec2-instance-connect.amazonaws.com:SendSerialConsoleSSHPublicKey': 'medium',
  'ec2.amazonaws.com:ModifyInstanceAttribute': 'medium',
};

export const remoteExecution = defineRule<'cloudtrail'>({
  id: 'cloudtrail.remote-execution',
  title: 'Command, session or key pushed into an instance',
  description: 'SSM commands and sessions, Instance Connect keys and changed user data run code on instances, nodes included, from the API.',
  source: 'cloudtrail',
  objective: { tactic: 'Execution (TA0002)', technique: 'T1651 Cloud Administration Command' },
  severity: 'low',
  watches: { calls: Object.keys(REMOTE_ACCESS) },
  canMatch: (call) => Object.hasOwn(REMOTE_ACCESS, call),
  match(event) {
    if (!tookEffect(event)) return undefined;
    const call = `${event.eventSource}:${event.eventName}`;
    const severity = REMOTE_ACCESS[call];
    if (!severity) return undefined;
    // Only user data changes run code at the next boot; other instance attributes do not.
    if (event.eventName === 'ModifyInstanceAttribute' && !JSON.stringify(event.requestParameters ?? {}).includes('userData')) return undefined;
    return { summary: `${describeCaller(event)} called ${callName(event)}`, subject: cloudTrailSubject(event), severity };
  },
});
