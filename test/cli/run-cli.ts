import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { LocalState } from '#adapters/local/state-file';
import type { Incident } from '#core/model/incident';
import { main } from '../../bin/cli/main.ts';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { pivotScenario } from '../fixtures/pivot-scenario.ts';

/** Commands that read or write incidents, locally unless told --table. */
const STATEFUL = new Set(['replay', 'approve', 'reject', 'undo', 'resolve', 'dismiss', 'accept-suppression', 'report']);

/**
 * Runs the pivotguard command with in-memory stdout and stderr. A command that would use the
 * default state file (.pivotguard/state.json in the working folder: the user's) gets a fresh one
 * in a temporary folder instead.
 */
export async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [command] = args;
  const chosen = args.includes('--state') || args.includes('--table') || args.includes('--help');
  const withState = STATEFUL.has(command ?? '') && !chosen ? [...args, '--state', join(await mkdtemp(join(tmpdir(), 'pivotguard-cli-')), 'state.json')] : args;
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks: string[] = [];
  const errors: string[] = [];
  out.on('data', (chunk) => chunks.push(String(chunk)));
  err.on('data', (chunk) => errors.push(String(chunk)));
  const code = await main(withState, out, err as unknown as NodeJS.WriteStream);
  return { code, stdout: chunks.join(''), stderr: errors.join('') };
}

/** The pivot scenario's one incident. */
export async function pivotIncident(): Promise<Incident> {
  const [incident] = await incidentsOf(pivotScenario());
  return incident!;
}

/** A fresh directory holding a local state file with the pivot incident, as a replay leaves it. */
export async function localStateWithPivot(): Promise<{ dir: string; file: string; incident: Incident }> {
  const dir = await mkdtemp(join(tmpdir(), 'pivotguard-cli-'));
  const file = join(dir, 'state.json');
  const incident = await pivotIncident();
  const state = await LocalState.load(file);
  state.putIncidents([incident]);
  await state.save();
  return { dir, file, incident };
}
