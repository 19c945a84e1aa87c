import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import type { Readable } from 'node:stream';
import type { Locator } from '#core/normalize/index';

/** One JSON value read from a file (at a line number, or 'document'), or why it could not be read. */
export type FileItem = { where: Locator; value: unknown } | { where: Locator; error: string };

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * The lines of a file, plain or gzipped, a chunk at a time: one await per chunk rather than
 * per line keeps reading cheap next to parsing.
 */
export async function* readLineChunks(path: string, onBytes?: (bytes: number) => void): AsyncGenerator<string[]> {
  const raw = createReadStream(path, { highWaterMark: 1 << 18 });
  if (onBytes) raw.on('data', (chunk) => onBytes(chunk.length));
  const stream: Readable = (await isGzipped(path)) ? raw.pipe(createGunzip()) : raw;
  stream.setEncoding('utf8');
  let carry = '';
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const lines = (carry + chunk).split('\n');
      carry = lines.pop()!;
      yield lines;
    }
    if (carry.length > 0) yield [carry];
  } finally {
    raw.destroy();
  }
}

/**
 * Reads a file of JSON records in any layout the product meets: JSON Lines, or one JSON
 * document (pretty-printed or not), either of them gzipped. JSON Lines are streamed, so memory
 * does not grow with the file; items come in batches.
 */
export async function* readJsonItems(path: string, onBytes?: (bytes: number) => void): AsyncGenerator<FileItem[]> {
  let lineNumber = 0;
  let sawFirstLine = false;
  for await (const lines of readLineChunks(path, onBytes)) {
    const items: FileItem[] = [];
    for (const line of lines) {
      lineNumber++;
      const text = line.trim();
      if (text.length === 0) continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (error) {
        // A first line that is not JSON on its own belongs to a multi-line document.
        if (!sawFirstLine && (text[0] === '{' || text[0] === '[')) {
          yield [await readDocument(path)];
          return;
        }
        items.push({ where: lineNumber, error: `not valid JSON: ${(error as Error).message}` });
        sawFirstLine = true;
        continue;
      }
      sawFirstLine = true;
      items.push({ where: lineNumber, value });
    }
    if (items.length > 0) yield items;
  }
}

async function readDocument(path: string): Promise<FileItem> {
  const bytes = await readFile(path);
  const text = (startsWithGzipMagic(bytes) ? gunzipSync(bytes) : bytes).toString('utf8');
  try {
    return { where: 'document', value: JSON.parse(text) as unknown };
  } catch (error) {
    return { where: 'document', error: `neither JSON Lines nor a JSON document: ${(error as Error).message}` };
  }
}

async function isGzipped(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(GZIP_MAGIC.length);
    await handle.read(buffer, 0, GZIP_MAGIC.length, 0);
    return startsWithGzipMagic(buffer);
  } finally {
    await handle.close();
  }
}

function startsWithGzipMagic(bytes: Buffer): boolean {
  return bytes.length >= GZIP_MAGIC.length && GZIP_MAGIC.every((byte, index) => bytes[index] === byte);
}
