import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Incident } from '#core/model/incident';
import type { IncidentResponse } from '#core/respond/response';
import { main } from '../../bin/cli/main.ts';
import { NAT_IP, ROLE_ARN } from '../fixtures/pivot-scenario.ts';
import { ACCOUNT_B, ALIASES, B_SESSION, roleInB, twoAccountScenario } from '../fixtures/scenarios/two-accounts.ts';
import { type Decision, DeployedTemplate, decide } from '../support/aws-decisions.ts';

type PolicyDocument = { Statement: { Condition: Record<string, Record<string, unknown>> }[] };

interface Contained {
  incidentId: string;
  response: IncidentResponse;
  policies: Record<string, Record<string, PolicyDocument>>;
}

/** `pivotguard replay --contain` on the two-account scenario, as JSON Lines, in a fresh state directory. */
async function replayContain(sameName: boolean): Promise<{ incidents: Incident[]; containment: Contained[] }> {
  const directory = await mkdtemp(join(tmpdir(), 'pivotguard-two-accounts-'));
  const records = join(directory, 'records.jsonl');
  await writeFile(
    records,
    `${twoAccountScenario({ sameName })
      .map((record) => JSON.stringify(record))
      .join('\n')}\n`,
  );
  const config = join(directory, 'pivotguard.yaml');
  // JSON is YAML.
  await writeFile(config, JSON.stringify({ clusters: { 'prod-east': { egressCidrs: [`${NAT_IP}/32`] } }, accountAliases: ALIASES }));
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (chunk) => chunks.push(String(chunk)));
  const args = ['replay', '--json', '--cluster', 'prod-east', '--config', config, '--state', join(directory, 'state.json'), '--contain', '--approve'];
  expect(await main([...args, '--by', 'alice', records], out, process.stderr)).toBe(0);
  return JSON.parse(chunks.join(''));
}

/** A request by a session of `roleArn`, as IAM decides it with the role's inline policies and an allow-all grant. */
function request(roleArn: string, session: string, roleId: string, policies: Record<string, PolicyDocument>): Promise<Decision> {
  const [, , , , account, resource] = roleArn.split(':');
  return decide(new DeployedTemplate({ Resources: {} }), {
    principal: `arn:aws:sts::${account}:assumed-role/${resource!.slice('role/'.length)}/${session}`,
    action: 'secretsmanager:GetSecretValue',
    resource: `arn:aws:secretsmanager:us-east-1:${account}:secret:warehouse/admin-AbCdEf`,
    context: { 'aws:userid': `${roleId}:${session}`, 'aws:SourceIp': '198.51.100.23', 'aws:TokenIssueTime': '2026-11-21T02:40:00Z' },
    // decide() places every resource in account 111122223333: a resource policy trusting the principal's account stands in for a resource of its own.
    resourcePolicy: {
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: '*', Resource: '*' }],
    },
    identityPolicies: [
      { name: 'workload', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } },
      ...Object.entries(policies).map(([name, policy]) => ({ name, policy: policy as never })),
    ],
  });
}

/** The role id the scoped deny names for a role: the revoke policy's `aws:userid` values are ROLEID:session. */
function roleIdIn(policies: Record<string, PolicyDocument>): string {
  const revoke = Object.entries(policies).find(([name]) => name.startsWith('pivotguard-revoke-'))![1];
  return (revoke.Statement[0]!.Condition.StringEquals!['aws:userid'] as string[])[0]!.split(':')[0]!;
}

// Each run synthesizes the state machine from the stack's construct first: a few seconds.
describe('pivotguard replay --contain on the cross-account pivot: local containment acts in both accounts', { timeout: 60_000 }, () => {
  it.each([
    ['a role of another name', false],
    ['a role of the same name', true],
  ])('denies the pod’s role in account A and the chained role in account B (%s), each in its own account', async (_, sameName) => {
    const B = roleInB({ sameName });
    const { incidents, containment } = await replayContain(sameName);
    expect(containment).toHaveLength(1);
    const [{ incidentId, response, policies }] = containment as [Contained];
    expect(incidents.find((incident) => incident.id === incidentId)?.identities.map((identity) => identity.accountId)).toEqual(
      expect.arrayContaining(['111122223333', ACCOUNT_B]),
    );
    const revokes = response.actions.filter((record) => record.action === 'revoke-role-sessions');
    expect(revokes.map((record) => `${record.target}:${record.result}`).sort()).toEqual([`${B.arn}:applied`, `${ROLE_ARN}:applied`].sort());
    // Two roles, by ARN: a same-named role in B is never the one in A.
    expect(Object.keys(policies)).toEqual(expect.arrayContaining([ROLE_ARN, B.arn]));
    expect(Object.keys(policies[B.arn]!)).toEqual(expect.arrayContaining([`pivotguard-revoke-${incidentId}`, `pivotguard-fence-${incidentId}`]));
    // IAM's decision in account B: the chained session is denied; without pivotguard's policies it was allowed.
    const inB = policies[B.arn]!;
    expect(await request(B.arn, B_SESSION, roleIdIn(inB), inB)).toBe('ExplicitlyDenied');
    expect(await request(B.arn, B_SESSION, roleIdIn(inB), {})).toBe('Allowed');
    // The pod's own role in A carries its own deny, naming its own sessions, not B's.
    const inA = policies[ROLE_ARN]!;
    const deniedInA = inA[`pivotguard-revoke-${incidentId}`]!.Statement[0]!.Condition.StringEquals!['aws:userid'] as string[];
    expect(deniedInA.some((userId) => userId.endsWith(`:${B_SESSION}`))).toBe(false);
    expect(roleIdIn(inA)).not.toBe(roleIdIn(inB));
  });
});
