import { createReadStream } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** One JSON value read from a file, or why a piece of the file could not be read as JSON. */
export type FileItem = { where: string; value: unknown } | { where: string; error: string };

const GZIP_MAGIC = [0x1f, 0x8b];

/**
 * Reads a file of JSON records in any layout the product meets: JSON Lines, one JSON document
 * (pretty-printed or not), either of them gzipped. JSON Lines are streamed, so memory does not
 * grow with the file.
 */
export async function* readJsonItems(path: string, onBytes?: (bytes: number) => void): AsyncGenerator<FileItem> {
  const gzipped = await startsWith(path, GZIP_MAGIC);
  let lineNumber = 0;
  let firstLine: string | undefined;
  let isDocument = false;
  const raw = createReadStream(path);
  if (onBytes) raw.on('data', (chunk) => onBytes(chunk.length));
  const stream: Readable = gzipped ? raw.pipe(createGunzip()) : raw;
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      lineNumber++;
      const text = line.trim();
      if (text.length === 0) continue;
      if (firstLine === undefined) {
        firstLine = text;
        // A first line that is not JSON on its own belongs to a multi-line document.
        if (!parses(text)) {
          isDocument = true;
          break;
        }
      }
      try {
        yield { where: `line ${lineNumber}`, value: JSON.parse(text) as unknown };
      } catch (error) {
        yield { where: `line ${lineNumber}`, error: `not valid JSON: ${(error as Error).message}` };
      }
    }
  } catch (error) {
    yield { where: `line ${lineNumber + 1}`, error: `file could not be read further: ${(error as Error).message}` };
    return;
  } finally {
    lines.close();
    raw.destroy();
  }
  if (isDocument) yield await readDocument(path, gzipped);
}

async function readDocument(path: string, gzipped: boolean): Promise<FileItem> {
  const bytes = await readFile(path);
  const text = (gzipped ? gunzipSync(bytes) : bytes).toString('utf8');
  try {
    return { where: 'document', value: JSON.parse(text) as unknown };
  } catch (error) {
    return { where: 'document', error: `neither JSON Lines nor a JSON document: ${(error as Error).message}` };
  }
}

function parses(text: string): boolean {
  const first = text[0];
  if (first !== '{' && first !== '[') return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

async function startsWith(path: string, magic: number[]): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(magic.length);
    const { bytesRead } = await handle.read(buffer, 0, magic.length, 0);
    return bytesRead === magic.length && magic.every((byte, index) => buffer[index] === byte);
  } finally {
    await handle.close();
  }
}
