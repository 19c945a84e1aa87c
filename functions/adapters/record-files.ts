import { createReadStream } from 'node:fs';
import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import type { RejectionCode } from '#core/model/event';
import type { Locator } from '#core/normalize/index';
import { exportedLogMessage, isCsvHeader, parseCsvRecord, splitConcatenatedJson } from '#core/normalize/text-layouts';

/** One JSON value read from a file (at a line number, or 'document'), or why it could not be read. */
export type FileItem = { where: Locator; value: unknown } | { where: Locator; error: string; code: RejectionCode };

/** The file name that reads standard input, so that `jq … | pivotguard replay -` works. */
export const STDIN = '-';

export interface ReadOptions {
  /** Called with each chunk's size as read (compressed size for gzip files), for progress. */
  onBytes?: (bytes: number) => void;
  /** What STDIN reads: process.stdin, or a stream a test substitutes. */
  stdin?: Readable;
}

const GZIP_MAGIC = [0x1f, 0x8b];
/** Firehose compressing CloudWatch Logs' already gzipped payloads gives gzip inside gzip. */
const MAX_GZIP_LAYERS = 2;

/**
 * The lines of a file or of standard input, plain or gzipped, a chunk at a time: one await per
 * chunk rather than per line keeps reading cheap next to parsing.
 */
export async function* readLineChunks(path: string, options: ReadOptions = {}): AsyncGenerator<string[]> {
  const raw: Readable = path === STDIN ? (options.stdin ?? process.stdin) : createReadStream(path, { highWaterMark: 1 << 18 });
  if (options.onBytes) raw.on('data', (chunk: Buffer) => options.onBytes!(chunk.length));
  const decoder = new TextDecoder('utf-8');
  let carry = '';
  try {
    for await (const chunk of ungzipped(raw as AsyncIterable<Buffer>, MAX_GZIP_LAYERS)) {
      const lines = (carry + decoder.decode(chunk, { stream: true })).split('\n');
      carry = lines.pop()!;
      yield lines;
    }
    carry += decoder.decode();
    if (carry.length > 0) yield [carry];
  } finally {
    if (path !== STDIN) raw.destroy();
  }
}

/**
 * Reads a file of JSON records in any layout the product meets: JSON Lines, one JSON document
 * (pretty-printed or not), JSON values back to back (Firehose), a CloudWatch Logs export to S3
 * ("<timestamp> <message>" lines), a Logs Insights CSV export; any of them gzipped. Line
 * layouts are streamed, so memory does not grow with the file; items come in batches.
 */
export async function* readJsonItems(path: string, options: ReadOptions = {}): AsyncGenerator<FileItem[]> {
  const layout = new LayoutReader();
  try {
    for await (const lines of readLineChunks(path, options)) {
      const items = layout.accept(lines);
      if (items.length > 0) yield items;
    }
  } catch (error) {
    if (!isZlibError(error)) throw error;
    yield [{ where: `line ${layout.lineCount + 1}`, error: `gzip data is corrupt from here on: ${(error as Error).message}`, code: 'not-json' }];
    return;
  }
  const items = layout.finish();
  if (items.length > 0) yield items;
}

type Mode = 'start' | 'lines' | 'maybe-document' | 'document' | 'csv' | 'refused';

/**
 * Tells the layout from the first lines and reads the rest accordingly. A first line that is not
 * JSON but opens an object or array starts a multi-line document unless the next line is JSON on
 * its own (JSON Lines with one bad line); a document that does not parse falls back to values
 * back to back, then to lines, so that only what is broken is rejected.
 */
class LayoutReader {
  lineCount = 0;
  private mode: Mode = 'start';
  /** From the line that may open a document on: every line, blank ones too, to keep line numbers. */
  private documentLines: string[] = [];
  private documentStart = 0;
  private csvColumns: string[] = [];
  private openCsvRecord?: { line: number; text: string };

  accept(lines: readonly string[]): FileItem[] {
    const items: FileItem[] = [];
    for (const line of lines) {
      this.lineCount++;
      // A byte order mark is no part of the first record (editors on Windows write one).
      this.acceptLine(this.lineCount === 1 ? line.replace(/^\uFEFF/, '') : line, items);
    }
    return items;
  }

  finish(): FileItem[] {
    if (this.mode === 'maybe-document' || this.mode === 'document') return this.readDocument();
    if (this.mode === 'csv' && this.openCsvRecord) {
      return [{ where: this.openCsvRecord.line, error: 'CSV record with a quoted field that never closes', code: 'not-json' }];
    }
    return [];
  }

  private acceptLine(line: string, items: FileItem[]): void {
    if (this.mode === 'refused') return;
    if (this.mode === 'document') {
      this.documentLines.push(line);
      return;
    }
    if (this.mode === 'csv') {
      this.acceptCsvLine(line, items);
      return;
    }
    const text = line.trim();
    if (this.mode === 'maybe-document') {
      this.documentLines.push(line);
      if (text.length === 0) return;
      const read = readLine(text, this.lineCount);
      if (read.every(isObjectOrArray)) {
        // The next line is JSON on its own: JSON Lines whose first record is broken (the lines between are blank).
        items.push(...readLine(this.documentLines[0]!.trim(), this.documentStart), ...read);
        this.mode = 'lines';
      } else {
        this.mode = 'document';
      }
      return;
    }
    if (text.length === 0) return;
    if (this.mode === 'start') {
      this.mode = 'lines';
      if (this.startsOtherLayout(line, text, items)) return;
    }
    items.push(...readLine(text, this.lineCount));
  }

  /** Recognizes the layouts the first line announces: a document, a CSV export, or one not supported. */
  private startsOtherLayout(line: string, text: string, items: FileItem[]): boolean {
    if (isJson(text)) return false;
    if (text.startsWith('{') || text.startsWith('[')) {
      this.mode = 'maybe-document';
      this.documentStart = this.lineCount;
      this.documentLines = [line];
      return true;
    }
    const header = exportedLogMessage(text) === undefined ? parseCsvRecord(text) : undefined;
    if (!header || !isCsvHeader(header)) return false;
    this.csvColumns = header.map((column) => column.trim());
    if (this.csvColumns.includes('@message')) {
      this.mode = 'csv';
      return true;
    }
    items.push({
      where: this.lineCount,
      error: `CSV with columns ${this.csvColumns.slice(0, 5).join(', ')}: pivotguard reads CSV only as CloudWatch Logs Insights results with a @message column; export the records as JSON`,
      code: 'unsupported-format',
    });
    this.mode = 'refused';
    return true;
  }

  /** One Logs Insights row per record; a quoted @message may span lines. */
  private acceptCsvLine(line: string, items: FileItem[]): void {
    const record = this.openCsvRecord ? { line: this.openCsvRecord.line, text: `${this.openCsvRecord.text}\n${line}` } : { line: this.lineCount, text: line };
    if (!this.openCsvRecord && line.trim().length === 0) return;
    const fields = parseCsvRecord(record.text);
    if (!fields) {
      this.openCsvRecord = record;
      return;
    }
    this.openCsvRecord = undefined;
    items.push({ where: record.line, value: Object.fromEntries(this.csvColumns.map((column, index) => [column, fields[index] ?? ''])) });
  }

  private readDocument(): FileItem[] {
    const text = this.documentLines.join('\n');
    let documentError: string;
    try {
      return [{ where: 'document', value: JSON.parse(text) as unknown }];
    } catch (error) {
      documentError = (error as Error).message;
    }
    const values = splitConcatenatedJson(text);
    if (values) return values.map((value, index) => readJsonText(value, `value ${index + 1}`));
    const items = this.documentLines.flatMap((line, index) => {
      const trimmed = line.trim();
      return trimmed.length === 0 ? [] : readLine(trimmed, this.documentStart + index);
    });
    if (items.some(isObjectOrArray)) return items;
    return [{ where: 'document', error: `neither JSON Lines nor a JSON document: ${documentError}`, code: 'not-json' }];
  }
}

/** One line's values: a JSON value, a CloudWatch Logs export line's message, or JSON values back to back. */
function readLine(text: string, lineNumber: number): FileItem[] {
  const exported = text.charCodeAt(0) <= 0x39 ? exportedLogMessage(text) : undefined;
  if (exported !== undefined) return [readJsonText(exported, lineNumber, 'CloudWatch Logs export line: message is not JSON')];
  const item = readJsonText(text, lineNumber);
  if ('value' in item) return [item];
  const values = splitConcatenatedJson(text);
  if (!values || values.length < 2) return [item];
  return values.map((value, index) => readJsonText(value, `line ${lineNumber} value ${index + 1}`));
}

function readJsonText(text: string, where: Locator, what = 'not valid JSON'): FileItem {
  try {
    return { where, value: JSON.parse(text) as unknown };
  } catch (error) {
    return { where, error: `${what}: ${(error as Error).message}`, code: 'not-json' };
  }
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function isObjectOrArray(item: FileItem): boolean {
  return 'value' in item && item.value !== null && typeof item.value === 'object';
}

function isZlibError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' && code.startsWith('Z_');
}

/** The bytes of `source`, gunzipped as often as they start with gzip's magic number (up to `layers`). */
async function* ungzipped(source: AsyncIterable<Buffer>, layers: number): AsyncGenerator<Buffer> {
  const iterator = source[Symbol.asyncIterator]();
  const head: Buffer[] = [];
  let headLength = 0;
  while (headLength < GZIP_MAGIC.length) {
    const next = await iterator.next();
    if (next.done) break;
    head.push(next.value);
    headLength += next.value.length;
  }
  const whole = (async function* () {
    yield* head;
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
  })();
  if (layers > 0 && startsWithGzipMagic(Buffer.concat(head))) {
    yield* ungzipped(gunzip(whole), layers - 1);
    return;
  }
  yield* whole;
}

function gunzip(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  const unzip = createGunzip();
  // Errors reach the reader through `unzip`, which pipeline destroys with them.
  pipeline(Readable.from(source), unzip, () => {});
  return unzip;
}

function startsWithGzipMagic(bytes: Buffer): boolean {
  return bytes.length >= GZIP_MAGIC.length && GZIP_MAGIC.every((byte, index) => bytes[index] === byte);
}
