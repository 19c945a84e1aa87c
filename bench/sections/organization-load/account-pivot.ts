import { ACCOUNT, assumedRoleIdentity, cloudTrailRecord, CLUSTER } from '../../../test/fixtures/records.ts';
import { assumeRole } from '../../../test/fixtures/scenarios/role-chaining.ts';
import { ATTACKER_IP, pivotScenario } from '../../../test/fixtures/pivot-scenario.ts';

type Json = Record<string, unknown>;

/** The organization's shared data account: every member's compromised pod reaches into it. */
export const DATA_ACCOUNT = '999988887777';
const ATTACKER_SESSION = 'botocore-session-1763691910';
const ATTACKER_KEY = 'ASIAEXAMPLEATTACK003';

/**
 * The container-to-cloud pivot of test/fixtures/pivot-scenario.ts in member account `index`
 * (1-based): its pod, IRSA role, cluster, keys and attacker address made that account's own, and
 * the stolen session carried across accounts: it assumes a role in the data account, whose
 * session then reads a secret there. Records in the member's account and in the data account
 * come apart, since each reaches the hub from its own account.
 */
export function accountPivot(index: number, accountId: string, cluster: string): { member: Json[]; dataAccount: Json[] } {
  const crossAccountSession = `exfil-${index}`;
  const crossAccountKey = 'ASIAEXAMPLEXACCT0001';
  const member = [
    ...pivotScenario({ namespace: 'payments' }),
    assumeRole({
      time: '2026-11-21T02:30:00Z',
      caller: assumedRoleIdentity('checkout-irsa', ATTACKER_SESSION, ATTACKER_KEY),
      sourceIp: ATTACKER_IP,
      accountId: DATA_ACCOUNT,
      sessionName: crossAccountSession,
      accessKeyId: crossAccountKey,
    }),
  ];
  const dataAccount = [
    cloudTrailRecord({
      eventTime: '2026-11-21T02:31:00Z',
      userIdentity: assumedRoleIdentity('data-exporter', crossAccountSession, crossAccountKey),
      eventSource: 'secretsmanager.amazonaws.com',
      eventName: 'GetSecretValue',
      sourceIPAddress: ATTACKER_IP,
      requestParameters: { secretId: 'prod/data/warehouse-credentials' },
    }),
  ];
  const suffix = String(index).padStart(4, '0');
  const memberOwn: [string, string][] = [
    [ACCOUNT, accountId],
    [CLUSTER, cluster],
    ['ASIAEXAMPLE', `ASIAORG${suffix}`],
    ['0ac9d7e1b3f24d8e9a6c5b4d3e2f1a0b', `0ac9d7e1b3f24d8e9a6c5b4d3e2f${suffix}`],
    [ATTACKER_IP, `198.51.100.${index}`],
  ];
  // The data account's records name the data account; the key and address stay the member's attacker's.
  const dataOwn: [string, string][] = [[ACCOUNT, DATA_ACCOUNT], ...memberOwn.slice(2)];
  return { member: rewritten(member, memberOwn), dataAccount: rewritten(dataAccount, dataOwn) };
}

function rewritten(records: Json[], replacements: [string, string][]): Json[] {
  let text = JSON.stringify(records);
  for (const [from, to] of replacements) text = text.replaceAll(from, to);
  return JSON.parse(text) as Json[];
}
