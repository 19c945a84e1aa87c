import { access, constants, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { replayFiles } from '#adapters/local-replay';
import { loadConfig } from './load-config.ts';
import { progressBar } from './progress.ts';
import { renderReplay } from './render-text.ts';
import { UsageError } from './usage-error.ts';

export const REPLAY_USAGE = 'pivotguard replay [--json] [--config FILE] [--cluster NAME] FILE...';

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
      },
    });
  } catch (error) {
    throw new UsageError(`${(error as Error).message}; usage: ${REPLAY_USAGE}`);
  }
  const files = parsed.positionals;
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
  if (parsed.values.json) {
    out.write(`${JSON.stringify({ incidents: result.incidents, rejected: result.rejected, suppressed: result.suppressed, stats: result.stats })}\n`);
  } else {
    out.write(renderReplay(result));
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
