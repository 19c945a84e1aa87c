import { describe, expect, it } from 'vitest';
import type { Incident } from '#core/model/incident';
import { alertText } from '#core/respond/alert-text';
import { incidentView } from '#core/view/incident-view';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { ATTACKER_IP, NAT_IP, ROLE_ARN } from '../fixtures/pivot-scenario.ts';
import { ACCOUNT_A, ACCOUNT_B, ALIASES, B_SESSION, roleInB, twoAccountScenario } from '../fixtures/scenarios/two-accounts.ts';

/**
 * The cross-account pivot: a pod's stolen IRSA session in account A assumes a role in account B,
 * and that session is used from outside. One incident tells it, naming both accounts, and its
 * plan acts on the roles of both.
 */
const POD = 'checkout-7d9f8b6c5-x2k4q';
const CONFIG = { clusters: { 'prod-east': { egressCidrs: [`${NAT_IP}/32`] } }, accountAliases: ALIASES };

function incidentOfPod(incidents: Incident[]): Incident {
  const matching = incidents.filter((incident) => incident.workload.pod === POD);
  expect(matching).toHaveLength(1);
  return matching[0]!;
}

describe('a pod in account A whose role assumes a role in account B', () => {
  const B = roleInB();

  it('is one incident: the B session used from outside leads back to the pod in A', async () => {
    const incidents = await incidentsOf(twoAccountScenario(), CONFIG);
    const incident = incidentOfPod(incidents);
    expect(incident.severity).toMatch(/high|critical/);
    // No second story about the role in B.
    expect(incidents.filter((other) => other.identities.some((identity) => identity.roleArn === B.arn))).toEqual([incident]);
    expect(incident.identities.find((identity) => identity.roleArn === ROLE_ARN)).toMatchObject({ accountId: ACCOUNT_A, accountAlias: 'prod' });
    expect(incident.identities.find((identity) => identity.roleArn === B.arn)).toMatchObject({
      accountId: ACCOUNT_B,
      accountAlias: 'data',
      via: 'chained',
      chainedFrom: ROLE_ARN,
      tiedSessions: [B_SESSION],
      unusualSourceIps: [ATTACKER_IP],
    });
  });

  it('plans containment in both accounts: the B session denied at once, the B role fenced after approval', async () => {
    const incident = incidentOfPod(await incidentsOf(twoAccountScenario(), CONFIG));
    const steps = (tier: 'automatic' | 'approval') => incident.plan[tier].map((step) => `${step.action} ${step.target}`);
    expect(steps('automatic')).toEqual(expect.arrayContaining([`revoke-role-sessions ${ROLE_ARN}`, `revoke-role-sessions ${B.arn}`]));
    expect(incident.plan.automatic.find((step) => step.action === 'revoke-role-sessions' && step.target === B.arn)?.scope).toEqual([B_SESSION]);
    expect(steps('approval')).toContain(`fence-role ${B.arn}`);
  });

  it('names both accounts, with their aliases, wherever the incident is shown', async () => {
    const incident = incidentOfPod(await incidentsOf(twoAccountScenario(), CONFIG));
    const view = incidentView(incident);
    expect(view.accounts).toEqual([
      { id: ACCOUNT_A, alias: 'prod', text: `${ACCOUNT_A} 'prod'` },
      { id: ACCOUNT_B, alias: 'data', text: `${ACCOUNT_B} 'data'` },
    ]);
    expect(view.where.fields[0]).toEqual({ key: 'accounts', label: 'Accounts', value: `${ACCOUNT_A} 'prod', ${ACCOUNT_B} 'data'` });
    expect(view.identities.find((identity) => identity.roleArn === B.arn)?.account).toEqual({ id: ACCOUNT_B, alias: 'data', text: `${ACCOUNT_B} 'data'` });
    const body = alertText({ incident, change: 'opened' }).body.replace(/\n\s*/g, ' ');
    expect(body).toContain(`${B.arn} (account ${ACCOUNT_B} 'data',`);
    expect(body).toContain(`${ROLE_ARN} (account ${ACCOUNT_A} 'prod',`);
  });

  it('names the accounts by id alone when no alias is configured', async () => {
    const incident = incidentOfPod(await incidentsOf(twoAccountScenario(), { ...CONFIG, accountAliases: {} }));
    expect(incidentView(incident).accounts).toEqual([
      { id: ACCOUNT_A, text: ACCOUNT_A },
      { id: ACCOUNT_B, text: ACCOUNT_B },
    ]);
  });

  it('still names the accounts of an incident stored before identities carried them: the role ARN does', async () => {
    const incident = incidentOfPod(await incidentsOf(twoAccountScenario(), CONFIG));
    const stored = { ...incident, identities: incident.identities.map(({ accountId: _id, accountAlias: _alias, ...identity }) => identity) };
    expect(incidentView(stored).accounts.map((account) => account.id)).toEqual([ACCOUNT_A, ACCOUNT_B]);
  });

  it.each([
    ['the caller’s trail (A) alone', (record: Record<string, unknown>) => record.recipientAccountId !== ACCOUNT_B || record.eventName !== 'AssumeRole'],
    ['the role’s trail (B) alone', (record: Record<string, unknown>) => record.recipientAccountId !== ACCOUNT_A || record.eventName !== 'AssumeRole'],
  ])('links the chain from %s: an organization trail may forward either copy of the AssumeRole', async (_, keep) => {
    const incident = incidentOfPod(await incidentsOf(twoAccountScenario().filter(keep), CONFIG));
    expect(incident.identities.find((identity) => identity.roleArn === B.arn)).toMatchObject({ chainedFrom: ROLE_ARN, tiedSessions: [B_SESSION] });
  });
});

describe('a role of the same name in account B', () => {
  it('is another role: its own identity, account and sessions, never merged with the pod’s role in A', async () => {
    const B = roleInB({ sameName: true });
    expect(B.arn).not.toBe(ROLE_ARN);
    const incident = incidentOfPod(await incidentsOf(twoAccountScenario({ sameName: true }), CONFIG));
    const inA = incident.identities.find((identity) => identity.roleArn === ROLE_ARN);
    const inB = incident.identities.find((identity) => identity.roleArn === B.arn);
    expect(inA?.accountId).toBe(ACCOUNT_A);
    expect(inA?.sessions).not.toContain(B_SESSION);
    expect(inB).toMatchObject({ accountId: ACCOUNT_B, via: 'chained', chainedFrom: ROLE_ARN, sessions: [B_SESSION] });
    const revokes = incident.plan.automatic.filter((step) => step.action === 'revoke-role-sessions');
    expect(revokes.find((step) => step.target === B.arn)?.scope).toEqual([B_SESSION]);
    expect(revokes.find((step) => step.target === ROLE_ARN)?.scope).not.toContain(B_SESSION);
  });
});
