import { defineRule } from '../../rule.ts';
import { sanitize } from '../../actors.ts';
import { callName, cloudTrailSubject, describeCaller, outcome, showsIntent } from './subject.ts';

// Calls that grant more power or leave a way back in.
const ESCALATION_CALLS = new Set([
  'PutRolePolicy', 'AttachRolePolicy', 'PutUserPolicy', 'AttachUserPolicy', 'PutGroupPolicy', 'AttachGroupPolicy',
  'CreateAccessKey', 'CreateUser', 'CreateLoginProfile', 'UpdateLoginProfile', 'UpdateAssumeRolePolicy',
  'CreateRole', 'CreatePolicyVersion', 'SetDefaultPolicyVersion', 'AddUserToGroup',
]);

export const iamPrivilegeChange = defineRule<'cloudtrail'>({
  id: 'cloudtrail.iam-privilege-change',
  title: 'IAM permissions or credentials changed',
  description: 'New keys, users, policies or trust relationships are how a foothold in the cloud is kept and widened.',
  source: 'cloudtrail',
  objective: { tactic: 'Persistence (TA0003)', technique: 'T1098 Account Manipulation' },
  severity: 'medium',
  match(event) {
    if (!showsIntent(event)) return undefined;
    if (event.eventSource !== 'iam.amazonaws.com' || !ESCALATION_CALLS.has(event.eventName)) return undefined;
    // A trust policy that only lets AWS services assume the role opens no door to a person.
    const trust = String(event.requestParameters?.policyDocument ?? '');
    if (event.eventName === 'UpdateAssumeRolePolicy' && !/"AWS"\s*:|"Principal"\s*:\s*"\*"/.test(trust)) return undefined;
    const parameters = event.requestParameters ?? {};
    const target = parameters.roleName ?? parameters.userName ?? parameters.policyArn ?? '';
    return {
      summary: `${describeCaller(event)} called ${callName(event)}${target ? ` on ${sanitize(String(target), 80)}` : ''}${outcome(event)}`,
      subject: cloudTrailSubject(event),
    };
  },
});
