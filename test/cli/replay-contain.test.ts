import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Incident } from '#core/model/incident';
import type { IncidentResponse } from '#core/respond/response';
import { main } from '../../bin/cli/main.ts';
import { type Decision, DeployedTemplate, decide } from '../support/aws-decisions.ts';

const EXAMPLE = join(import.meta.dirname, '../../examples/seed-scenario');
const RECORDS = join(EXAMPLE, 'records');
/** The demo's IRSA role: the stand-ins report policies by role ARN, since a role name alone is ambiguous across accounts. */
const ROLE_ARN = 'arn:aws:iam::111122223333:role/checkout-irsa';
const files = readdirSync(RECORDS)
  .sort()
  .map((name) => join(RECORDS, name));

interface Contained {
  incidentId: string;
  response: IncidentResponse;
  firstContainmentMs?: number;
  policies: Record<string, Record<string, { Statement: { Condition: Record<string, Record<string, unknown>> }[] }>>;
}

/** `pivotguard replay --contain` on the seed scenario, in a fresh state directory. */
async function replayContain(...flags: string[]): Promise<{ incidents: Incident[]; containment: Contained[]; directory: string }> {
  const directory = await mkdtemp(join(tmpdir(), 'pivotguard-contain-'));
  const out = new PassThrough();
  const chunks: string[] = [];
  out.on('data', (chunk) => chunks.push(String(chunk)));
  const args = [
    'replay',
    '--json',
    '--cluster',
    'prod-east',
    '--config',
    join(EXAMPLE, 'pivotguard.yaml'),
    '--state',
    join(directory, 'state.json'),
    '--contain',
    ...flags,
    ...files,
  ];
  expect(await main(args, out, process.stderr)).toBe(0);
  return { ...JSON.parse(chunks.join('')), directory };
}

const outcomes = (response: IncidentResponse) => response.actions.map((record) => `${record.action}:${record.result}`).sort();

// Each run synthesizes the state machine from the stack's construct first: a few seconds.
describe('pivotguard replay --contain: the synthesized workflow on local stand-ins', { timeout: 60_000 }, () => {
  it('contains the demo incident, runs the approved steps, keeps evidence and state, within the 30 s target', async () => {
    const { incidents, containment, directory } = await replayContain('--approve', '--by', 'alice');
    expect(containment).toHaveLength(1);
    const [{ incidentId, response, firstContainmentMs, policies }] = containment as [Contained];
    expect(incidentId).toBe(incidents[0]!.id);
    expect(response.status).toBe('contained');
    expect(response.approval).toMatchObject({ decision: 'approved', decidedBy: 'alice' });
    expect(outcomes(response)).toEqual([
      'capture-evidence:already-applied',
      'capture-evidence:applied',
      'deny-web-identity:applied',
      'fence-role:applied',
      'isolate-pod:applied',
      'restart-pod:applied',
      'revoke-all-sessions:applied',
      'revoke-role-sessions:applied',
      'scale-down:applied',
    ]);
    expect(firstContainmentMs).toBeLessThan(30_000);
    // The scoped deny names the pod's sessions only; the fence keeps the role inside the cluster; the approved one cuts every older session.
    const role = policies[ROLE_ARN]!;
    expect(Object.keys(role).sort()).toEqual([
      `AWSRevokeOlderSessions-pivotguard-${incidentId}`,
      `pivotguard-fence-${incidentId}`,
      `pivotguard-revoke-${incidentId}`,
    ]);
    expect(Object.keys(role[`pivotguard-revoke-${incidentId}`]!.Statement[0]!.Condition.StringEquals!)).toEqual(['aws:userid']);

    const state = JSON.parse(await readFile(join(directory, 'state.json'), 'utf8'));
    expect(state.incidents.map((incident: Incident) => incident.id)).toEqual([incidentId]);
    expect(state.responses[0]).toMatchObject({ incidentId, status: 'contained', firstContainedAt: expect.any(String) });
    const evidence = await readdir(join(directory, 'evidence', 'incidents', incidentId), { recursive: true });
    expect(evidence.some((name) => String(name).endsWith('manifest.json'))).toBe(true);
  });

  it('runs nothing disruptive when nobody approves, and records the wait as timed out', async () => {
    const { containment } = await replayContain();
    const [{ response, policies }] = containment as [Contained];
    expect(response.approval).toMatchObject({ decision: 'timeout' });
    expect(outcomes(response).filter((outcome) => /restart|scale|revoke-all/.test(outcome))).toEqual([]);
    expect(Object.keys(policies[ROLE_ARN]!).sort()).toEqual([expect.stringMatching(/^pivotguard-fence-/), expect.stringMatching(/^pivotguard-revoke-/)]);
  });

  it('leaves the role, as IAM decides, denied to the stolen session and to any new one from outside, open to the cluster', async () => {
    const { incidents, containment } = await replayContain();
    const [{ policies }] = containment as [Contained];
    const inline = Object.entries(policies[ROLE_ARN]!).map(([name, policy]) => ({ name, policy: policy as never }));
    const denied = (inline.find(({ name }) => name.startsWith('pivotguard-revoke-'))!.policy as Contained['policies'][string][string]).Statement[0]!.Condition
      .StringEquals!['aws:userid'] as string[];
    const roleId = denied[0]!.split(':')[0]!;
    const stolen = incidents[0]!.identities[0]!.sessions[0]!;
    const request = (session: string, sourceIp: string, withPolicies = inline): Promise<Decision> =>
      decide(new DeployedTemplate({ Resources: {} }), {
        principal: `arn:aws:sts::111122223333:assumed-role/checkout-irsa/${session}`,
        action: 'secretsmanager:GetSecretValue',
        resource: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:checkout-db-AbCdEf',
        context: { 'aws:userid': `${roleId}:${session}`, 'aws:SourceIp': sourceIp, 'aws:TokenIssueTime': '2026-11-21T02:40:00Z' },
        identityPolicies: [
          { name: 'workload', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } },
          ...withPolicies,
        ],
      });
    expect(await request(stolen, '198.51.100.23')).toBe('ExplicitlyDenied');
    // A stolen web-identity token mints a new session, under a name of the attacker's choosing.
    expect(await request('attacker-fresh-session', '198.51.100.23')).toBe('ExplicitlyDenied');
    // The healthy replica refreshes its credentials and calls from the cluster's NAT gateway.
    expect(await request('replica-fresh-session', '203.0.113.10')).toBe('Allowed');
    // What undo deletes is all that denies: without it, the same requests are allowed again.
    expect(await request('attacker-fresh-session', '198.51.100.23', [])).toBe('Allowed');
  });

  it('runs dry: records what it would do, writes no policy and no evidence', async () => {
    const { containment, directory } = await replayContain('--dry-run', '--approve');
    const [{ response, policies }] = containment as [Contained];
    expect(new Set(response.actions.map((record) => record.result))).toEqual(new Set(['dry-run']));
    expect(response.status).toBe('open');
    expect(policies).toEqual({});
    await expect(readdir(join(directory, 'evidence'))).rejects.toThrow();
  });

  it('refuses flags that only make sense with --contain, or together', async () => {
    const err = new PassThrough();
    const said: string[] = [];
    err.on('data', (chunk) => said.push(String(chunk)));
    expect(await main(['replay', '--approve', files[0]!], new PassThrough(), err as unknown as NodeJS.WriteStream)).toBe(2);
    expect(await main(['replay', '--contain', '--approve', '--reject', files[0]!], new PassThrough(), err as unknown as NodeJS.WriteStream)).toBe(2);
    expect(said.join('')).toMatch(/go with --contain[\s\S]*exclude each other/);
  });
});
