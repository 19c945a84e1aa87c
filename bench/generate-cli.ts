import { createWriteStream } from 'node:fs';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { generateBusyCluster, type GenerateOptions } from './generate.ts';

/**
 * Streams synthetic busy-cluster JSON Lines to a file or stdout:
 *   npx tsx bench/generate-cli.ts --records 1000000 [--seed 7] [--out busy.jsonl]
 * Lines are batched into ~256 KiB chunks and pulled through a stream pipeline, so the
 * generator only runs as fast as the destination drains (flat memory at any size).
 */

const USAGE = `usage: npx tsx bench/generate-cli.ts --records N [--seed S] [--out FILE]
       [--start ISO] [--records-per-hour N] [--cluster NAME] [--include-findings]`;

function integer(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new Error(`--${name}: "${text}" is not an integer`);
  return value;
}

function parseOptions(argv: string[]): { options: GenerateOptions; out: string | undefined } {
  const { values } = parseArgs({
    args: argv,
    options: {
      records: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      start: { type: 'string' },
      'records-per-hour': { type: 'string' },
      cluster: { type: 'string' },
      'include-findings': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const records = integer('records', values.records);
  if (records === undefined || records < 0) throw new Error('--records N is required (N >= 0)');
  return {
    options: {
      records,
      seed: integer('seed', values.seed),
      start: values.start,
      recordsPerHour: integer('records-per-hour', values['records-per-hour']),
      cluster: values.cluster,
      includeFindings: values['include-findings'] ?? false,
    },
    out: values.out,
  };
}

const CHUNK_CHARS = 256 * 1024;
/** Chunks buffered ahead of the destination, so generating overlaps with writing. */
const BUFFERED_BYTES = 8 * 1024 * 1024;

function* chunks(lines: Iterable<string>): Generator<string> {
  let chunk = '';
  for (const line of lines) {
    chunk += `${line}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

async function main(): Promise<void> {
  const { options, out } = parseOptions(process.argv.slice(2));
  const destination: Writable = out === undefined || out === '-' ? process.stdout : createWriteStream(out);
  try {
    const source = Readable.from(chunks(generateBusyCluster(options)), {
      objectMode: false,
      highWaterMark: BUFFERED_BYTES,
    });
    await pipeline(source, destination);
  } catch (error) {
    // A closed pipe (`| head`) just means the reader has seen enough.
    if ((error as NodeJS.ErrnoException).code === 'EPIPE') return;
    throw error;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`generate-cli: ${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exitCode = 1;
});
