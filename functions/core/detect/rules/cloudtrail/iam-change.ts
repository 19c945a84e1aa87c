import { defineRule } from '../../rule.ts';
import { sanitize } from '../../actors.ts';
import { str, textOf } from '#core/model/json';
import type { CloudTrailEvent } from '#core/model/event';
import { actsOnItself, callName, cloudTrailSubject, describeCaller, isThroughCloudFormation, tookEffect } from './subject.ts';

// Calls that grant more power or leave a way back in.
const ESCALATION_CALLS = new Set(
  [
    'PutRolePolicy',
    'AttachRolePolicy',
    'PutUserPolicy',
    'AttachUserPolicy',
    'PutGroupPolicy',
    'AttachGroupPolicy',
    'CreateAccessKey',
    'CreateUser',
    'CreateLoginProfile',
    'UpdateLoginProfile',
    'UpdateAssumeRolePolicy',
    'CreateRole',
    'CreatePolicyVersion',
    'SetDefaultPolicyVersion',
    'AddUserToGroup',
  ]
    .map((call) => `iam.amazonaws.com:${call}`)
    .concat(
      // IAM Roles Anywhere: a trust anchor lets anyone holding a certificate from that CA assume roles.
      ['CreateTrustAnchor', 'UpdateTrustAnchor', 'CreateProfile'].map((call) => `rolesanywhere.amazonaws.com:${call}`),
    ),
);
// A user's own password or access key is routine upkeep, not someone else's backdoor.
const SELF_SERVICE = new Set(['CreateAccessKey', 'CreateLoginProfile', 'UpdateLoginProfile']);

/** A policy whose every statement denies grants nothing: a quarantine, not an escalation. */
function onlyDenies(event: CloudTrailEvent): boolean {
  const document = str(event.requestParameters?.policyDocument);
  if (!document) return false;
  try {
    const statements = ([] as { Effect?: string }[]).concat((JSON.parse(document) as { Statement?: [] }).Statement ?? []);
    return statements.length > 0 && statements.every((statement) => statement.Effect === 'Deny');
  } catch {
    return false;
  }
}

const ADMIN_POLICY = /:policy\/(AdministratorAccess|IAMFullAccess|PowerUserAccess)$/;

/** Full administrator rights, by managed policy or by an inline "Action": "*" with "Resource": "*". */
function grantsAdmin(event: CloudTrailEvent): boolean {
  if (ADMIN_POLICY.test(str(event.requestParameters?.policyArn) ?? '')) return true;
  const document = str(event.requestParameters?.policyDocument) ?? '';
  return /"Action"\s*:\s*(\[\s*)?"\*"/.test(document) && /"Resource"\s*:\s*(\[\s*)?"\*"/.test(document) && /"Effect"\s*:\s*"Allow"/.test(document);
}

/** Whether a trust policy lets an AWS principal (an account, a role, a user) or anyone assume the role, not only AWS services. */
function admitsPrincipals(document: unknown): boolean {
  return /"AWS"\s*:|"Principal"\s*:\s*"\*"/.test(textOf(document ?? ''));
}

export const iamPrivilegeChange = defineRule<'cloudtrail'>({
  id: 'cloudtrail.iam-privilege-change',
  title: 'IAM permissions or credentials changed',
  description: 'New keys, users, policies or trust relationships are how a foothold in the cloud is kept and widened.',
  source: 'cloudtrail',
  objective: { tactic: 'Persistence (TA0003)', technique: 'T1098 Account Manipulation' },
  severity: 'medium',
  watches: { calls: [...ESCALATION_CALLS] },
  canMatch: (call) => ESCALATION_CALLS.has(call),
  match(event) {
    if (!tookEffect(event)) return undefined;
    if (!ESCALATION_CALLS.has(`${event.eventSource}:${event.eventName}`) || onlyDenies(event)) return undefined;
    const userName = str(event.requestParameters?.userName);
    // CreateAccessKey without a user name creates the caller's own key.
    const ownKey = event.eventName === 'CreateAccessKey' && userName === undefined;
    if (SELF_SERVICE.has(event.eventName) && (ownKey || actsOnItself(event, userName))) return undefined;
    // A trust policy that only lets AWS services assume the role opens no door to a person.
    if (event.eventName === 'UpdateAssumeRolePolicy' && !admitsPrincipals(event.requestParameters?.policyDocument)) return undefined;
    // A stack creating its users and service roles is infrastructure as code; what would make one a way in
    // (a key, a password, a policy, a trust to other principals) is judged on its own call, stack or not.
    if (isThroughCloudFormation(event)) {
      if (event.eventName === 'CreateUser') return undefined;
      if (event.eventName === 'CreateRole' && !admitsPrincipals(event.requestParameters?.assumeRolePolicyDocument)) return undefined;
    }
    const parameters = event.requestParameters ?? {};
    const target = parameters.roleName ?? parameters.userName ?? parameters.policyArn ?? parameters.name ?? '';
    return {
      summary: `${describeCaller(event)} called ${callName(event)}${target ? ` on ${sanitize(textOf(target), 80)}` : ''}`,
      subject: cloudTrailSubject(event),
      severity: grantsAdmin(event) ? 'high' : undefined,
    };
  },
});
