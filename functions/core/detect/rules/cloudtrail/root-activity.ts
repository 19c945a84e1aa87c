import { defineRule } from '../../rule.ts';
import { callName, cloudTrailSubject, describeCaller, isAwsServiceCall, outcome } from './subject.ts';

export const rootActivity = defineRule<'cloudtrail'>({
  id: 'cloudtrail.root-activity',
  title: 'Root user activity',
  description: "The account's root user is for break-glass tasks only; any use of it, and its access keys above all, needs a person to confirm it.",
  source: 'cloudtrail',
  objective: { tactic: 'Privilege Escalation (TA0004)', technique: 'T1078.004 Valid Accounts: Cloud Accounts' },
  severity: 'medium',
  watches: { root: true },
  match(event) {
    if (event.identity.type !== 'Root' || isAwsServiceCall(event)) return undefined;
    // A failed sign-in is someone trying the root password; any other failed root call changed nothing.
    const failed = event.errorCode !== undefined || Object.values(event.responseElements ?? {}).includes('Failure');
    if (failed && event.eventName !== 'ConsoleLogin') return undefined;
    // Root signing in (or failing to) is a console event worth a look; root access keys are worse.
    const withKey = event.identity.accessKeyId !== undefined && !event.identity.accessKeyId.startsWith('ASIA');
    return {
      summary: `${describeCaller(event)} (root${withKey ? ', access key' : ''}) called ${callName(event)}${outcome(event)}`,
      subject: cloudTrailSubject(event),
      severity: withKey || event.eventName === 'CreateAccessKey' ? 'high' : 'medium',
    };
  },
});
