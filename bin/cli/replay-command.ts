import { access, constants, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { userInfo } from 'node:os';
import { DEFAULT_STATE_FILE, LocalState, StateFileError } from '#adapters/local/state-file';
import { replayFiles } from '#adapters/local-replay';
import { STDIN } from '#adapters/record-files';
import { respondToReplay } from '#adapters/respond/replay-responder';
import { containmentDefinition } from '../local/containment-definition.ts';
import { parseCommand } from './backend.ts';
import { loadConfig } from './load-config.ts';
import { progressBar } from './progress.ts';
import { renderContainment } from './render-containment.ts';
import { renderReplay } from './render-text.ts';
import { printError, printLines } from './terminal.ts';
import { COMMANDS } from './usage.ts';
import { UsageError } from './usage-error.ts';

const USAGE = COMMANDS.replay.usage;

/** Inputs above this size get a progress bar when a person is watching. */
const PROGRESS_BAR_BYTES = 20e6;

export async function replayCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WriteStream): Promise<number> {
  const { values, positionals: files } = parseCommand(args, USAGE, {
    json: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    config: { type: 'string' },
    cluster: { type: 'string' },
    state: { type: 'string' },
    contain: { type: 'boolean', default: false },
    approve: { type: 'boolean', default: false },
    reject: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
    by: { type: 'string' },
  });
  const { contain, approve, reject } = values;
  if (approve && reject) throw new UsageError('--approve and --reject exclude each other');
  if ((approve || reject || values['dry-run']) && !contain) throw new UsageError('--approve, --reject and --dry-run go with --contain');
  if (files.length === 0) throw new UsageError(`no input files; usage: ${USAGE}`);
  if (files.filter((file) => file === STDIN).length > 1) throw new UsageError('standard input (-) can be read only once');
  for (const file of files) if (file !== STDIN) await assertReadableFile(file);
  const config = await loadConfig(values.config);
  // Checked before any work: a --state that names something else (a config file) is refused, never overwritten.
  const state = values.state ? await openState(values.state) : LocalState.fresh(DEFAULT_STATE_FILE);
  const evidenceDirectory = join(dirname(state.file), 'evidence');

  const totalBytes = (await Promise.all(files.map((file) => (file === STDIN ? { size: 0 } : stat(file))))).reduce((sum, info) => sum + info.size, 0);
  const showProgress = err.isTTY === true && totalBytes >= PROGRESS_BAR_BYTES;
  const result = await replayFiles(files, { config, cluster: values.cluster, onProgress: showProgress ? progressBar(err) : undefined });
  for (const note of new Set(result.notes)) printError(err, note);

  // A fresh replay replaces the previous one's stand-in evidence bucket along with its state.
  if (!values.state) await rm(evidenceDirectory, { recursive: true, force: true });
  const progress: string[] = [];
  const contained = await respondToReplay(result.incidents, {
    config,
    responses: state.responses,
    previous: (incidentId) => state.store.getIncident(incidentId),
    containment: contain
      ? {
          decision: approve ? 'approve' : reject ? 'reject' : 'timeout',
          dryRun: values['dry-run'] || config.actions.dryRun === true,
          evidenceDirectory,
          by: values.by ?? userInfo().username,
          onStep: (line) => progress.push(line),
          definition: containmentDefinition,
        }
      : undefined,
  });
  state.putIncidents(result.incidents);
  await state.save();
  if (values.json) {
    const containment = contained.map(({ incident, response, execution, firstContainmentMs, policies }) => ({
      incidentId: incident.id,
      execution,
      response,
      firstContainmentMs,
      policies,
    }));
    out.write(
      `${JSON.stringify({ incidents: result.incidents, rejected: result.rejected, suppressed: result.suppressed, notes: result.notes, stats: result.stats, ...(contain ? { containment } : {}) })}\n`,
    );
  } else {
    printLines(out, [...renderReplay(result, { full: values.full }), ...(contain ? renderContainment(contained, progress, config.actions.containFrom) : [])]);
  }
  return 0;
}

async function openState(file: string): Promise<LocalState> {
  try {
    return await LocalState.load(file);
  } catch (error) {
    throw error instanceof StateFileError ? new UsageError(error.message) : error;
  }
}

async function assertReadableFile(file: string): Promise<void> {
  try {
    const info = await stat(file);
    // A named pipe (`<(zcat …)`) streams like standard input does.
    if (!info.isFile() && !info.isFIFO()) throw new UsageError(`${file} is not a file`);
    await access(file, constants.R_OK);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message}`);
  }
}
