import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Incident } from '#core/model/incident';
import type { IncidentResponse } from '#core/respond/response';
import { main } from '../../bin/cli/main.ts';

const EXAMPLE = join(import.meta.dirname, '../../examples/seed-scenario');
const RECORDS = join(EXAMPLE, 'records');
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
      'isolate-pod:applied',
      'restart-pod:applied',
      'revoke-all-sessions:applied',
      'revoke-role-sessions:applied',
      'scale-down:applied',
    ]);
    expect(firstContainmentMs).toBeLessThan(30_000);
    // The scoped deny names the pod's sessions only; the approved one cuts every older session.
    const role = policies['checkout-irsa']!;
    expect(Object.keys(role).sort()).toEqual([`AWSRevokeOlderSessions-pivotguard-${incidentId}`, `pivotguard-revoke-${incidentId}`]);
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
    expect(Object.keys(policies['checkout-irsa']!)).toEqual([expect.stringMatching(/^pivotguard-revoke-/)]);
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
