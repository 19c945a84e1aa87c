import { access, constants, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { dirname, join } from 'node:path';
import { userInfo } from 'node:os';
import { severityRank } from '#core/model/signal';
import { openResponse } from '#core/respond/response';
import { containLocally, replayOpenedAt } from '#adapters/local/local-containment';
import { DEFAULT_STATE_FILE, LocalState } from '#adapters/local/state-file';
import { replayFiles } from '#adapters/local-replay';
import { renderContainment } from './render-containment.ts';
import { loadConfig } from './load-config.ts';
import { progressBar } from './progress.ts';
import { renderReplay } from './render-text.ts';
import { UsageError } from './usage-error.ts';

export const REPLAY_USAGE = 'pivotguard replay [--json] [--config FILE] [--cluster NAME] [--state FILE] [--contain [--approve | --reject] [--dry-run] [--by NAME]] FILE...';

/** Inputs above this size get a progress bar when a person is watching. */
const PROGRESS_BAR_BYTES = 20e6;

export async function replayCommand(args: string[], out: NodeJS.WritableStream, err: NodeJS.WriteStream): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        json: { type: 'boolean', default: false },
        config: { type: 'string' },
        cluster: { type: 'string' },
        state: { type: 'string', default: DEFAULT_STATE_FILE },
        contain: { type: 'boolean', default: false },
        approve: { type: 'boolean', default: false },
        reject: { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        by: { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; usage: ${REPLAY_USAGE}`);
  }
  const files = parsed.positionals;
  const { contain, approve, reject } = parsed.values;
  if (approve && reject) throw new UsageError('--approve and --reject exclude each other');
  if ((approve || reject || parsed.values['dry-run']) && !contain) throw new UsageError('--approve, --reject and --dry-run go with --contain');
  if (files.length === 0) throw new UsageError(`no input files; usage: ${REPLAY_USAGE}`);
  for (const file of files) await assertReadableFile(file);
  const config = await loadConfig(parsed.values.config);
  const totalBytes = (await Promise.all(files.map((file) => stat(file)))).reduce((sum, info) => sum + info.size, 0);
  const showProgress = err.isTTY === true && totalBytes >= PROGRESS_BAR_BYTES;
  const result = await replayFiles(files, {
    config,
    cluster: parsed.values.cluster,
    onProgress: showProgress ? progressBar(err) : undefined,
  });
  const state = await LocalState.load(parsed.values.state);
  state.putIncidents(result.incidents);
  for (const incident of result.incidents) {
    const openedAt = replayOpenedAt(incident, config.actions.containFrom);
    await state.responses.updateResponse(incident.id, (current) => current ?? { ...openResponse(incident.id, openedAt), alerts: [{ at: openedAt, kind: 'opened', severity: incident.severity }] });
  }
  const severe = result.incidents.filter((incident) => severityRank[incident.severity] >= severityRank[config.actions.containFrom]);
  const progress: string[] = [];
  const contained = contain
    ? await containLocally(severe, {
        decision: approve ? 'approve' : reject ? 'reject' : 'timeout',
        dryRun: parsed.values['dry-run'] || config.actions.dryRun === true,
        evidenceDirectory: join(dirname(parsed.values.state), 'evidence'),
        responses: state.responses,
        by: parsed.values.by ?? userInfo().username,
        onStep: (line) => progress.push(line),
      })
    : [];
  await state.save();
  if (parsed.values.json) {
    const containment = contained.map(({ incident, response, firstContainmentMs, policies }) => ({ incidentId: incident.id, response, firstContainmentMs, policies }));
    out.write(`${JSON.stringify({ incidents: result.incidents, rejected: result.rejected, suppressed: result.suppressed, stats: result.stats, ...(contain ? { containment } : {}) })}\n`);
  } else {
    out.write(renderReplay(result));
    if (contain) out.write(renderContainment(contained, progress, config.actions.containFrom));
  }
  return 0;
}

async function assertReadableFile(file: string): Promise<void> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new UsageError(`${file} is not a file`);
    await access(file, constants.R_OK);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message}`);
  }
}
