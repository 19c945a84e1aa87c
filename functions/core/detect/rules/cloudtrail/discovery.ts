import { defineRule } from '../../rule.ts';
import type { CloudTrailEvent } from '#core/model/event';
import { callName, cloudTrailSubject, describeCaller, outcome, showsIntent } from './subject.ts';

// The first calls of someone who just found credentials and wants to know what they hold.
export const RECON_CALLS = new Set([
  'sts.amazonaws.com:GetCallerIdentity',
  's3.amazonaws.com:ListBuckets',
  'iam.amazonaws.com:ListRoles',
  'iam.amazonaws.com:ListUsers',
  'iam.amazonaws.com:ListAttachedRolePolicies',
  'iam.amazonaws.com:ListRolePolicies',
  'iam.amazonaws.com:GetAccountAuthorizationDetails',
  'iam.amazonaws.com:ListAccessKeys',
  // Groups carry users' permissions: which group a key's user is in, and what each group grants.
  'iam.amazonaws.com:ListGroups',
  'iam.amazonaws.com:ListGroupsForUser',
  'iam.amazonaws.com:GetGroup',
  'iam.amazonaws.com:ListAttachedGroupPolicies',
  'iam.amazonaws.com:ListGroupPolicies',
  'iam.amazonaws.com:GetGroupPolicy',
  'secretsmanager.amazonaws.com:ListSecrets',
  'ssm.amazonaws.com:DescribeParameters',
  'eks.amazonaws.com:ListClusters',
  'organizations.amazonaws.com:DescribeOrganization',
  'organizations.amazonaws.com:DescribeAccount',
  'organizations.amazonaws.com:ListAccounts',
  'billingconsole.amazonaws.com:GetContactInformation',
  'billingconsole.amazonaws.com:GetAlternateContact',
  'account.amazonaws.com:GetContactInformation',
  'account.amazonaws.com:GetAlternateContact',
  // Can this account send mail? The first question of credentials stolen for spam and phishing.
  'ses.amazonaws.com:GetSendQuota',
  'ses.amazonaws.com:GetAccountSendingEnabled',
  'ses.amazonaws.com:ListIdentities',
  'ses.amazonaws.com:GetIdentityVerificationAttributes',
  'ses.amazonaws.com:GetAccount',
]);

export function isReconCall(event: CloudTrailEvent): boolean {
  return RECON_CALLS.has(`${event.eventSource}:${event.eventName}`);
}

export const cloudDiscovery = defineRule<'cloudtrail'>({
  id: 'cloudtrail.discovery',
  title: 'Cloud account discovery call',
  description: 'Enumerating identity, buckets, roles or secrets is what stolen credentials are used for first.',
  source: 'cloudtrail',
  objective: { tactic: 'Discovery (TA0007)', technique: 'T1580 Cloud Infrastructure Discovery' },
  severity: 'low',
  watches: { calls: [...RECON_CALLS] },
  canMatch: (call) => RECON_CALLS.has(call),
  match(event) {
    if (!showsIntent(event)) return undefined;
    if (!isReconCall(event)) return undefined;
    return { summary: `${describeCaller(event)} called ${callName(event)}${outcome(event)}`, subject: cloudTrailSubject(event) };
  },
});
