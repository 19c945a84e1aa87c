import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { type FileItem, STDIN, readJsonItems } from '#adapters/record-files';
import { auditEvent, cloudTrailRecord, logsDataMessage } from '../fixtures/records.ts';

async function tempFile(name: string, content: string | Buffer): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'pivotguard-files-')), name);
  await writeFile(path, content);
  return path;
}

async function readAll(path: string, stdin?: Readable): Promise<FileItem[]> {
  const items: FileItem[] = [];
  for await (const batch of readJsonItems(path, { stdin })) items.push(...batch);
  return items;
}

/** Each item as its place and whether it was read (the value's kind) or why not (the code). */
function shape(items: FileItem[]): [string | number, string][] {
  return items.map((item) => [item.where, 'error' in item ? item.code : Array.isArray(item.value) ? 'array' : typeof item.value]);
}

const line = (value: unknown) => JSON.stringify(value);

describe('standard input', () => {
  it("reads '-' from the stream it is given, as JSON Lines", async () => {
    const stdin = Readable.from([Buffer.from(`${line(auditEvent())}\n${line(cloudTrailRecord())}\n`)]);
    expect(shape(await readAll(STDIN, stdin))).toEqual([
      [1, 'object'],
      [2, 'object'],
    ]);
  });

  it("reads '-' gzipped, even when the first chunk holds a single byte", async () => {
    const bytes = gzipSync(`${line(auditEvent())}\n`);
    const stdin = Readable.from([bytes.subarray(0, 1), bytes.subarray(1)]);
    expect(shape(await readAll(STDIN, stdin))).toEqual([[1, 'object']]);
  });

  it("reads jq's pretty-printed values one after another", async () => {
    const pretty = [auditEvent(), cloudTrailRecord(), auditEvent()].map((value) => JSON.stringify(value, null, 2)).join('\n');
    expect(shape(await readAll(STDIN, Readable.from([Buffer.from(pretty)])))).toEqual([
      ['value 1', 'object'],
      ['value 2', 'object'],
      ['value 3', 'object'],
    ]);
  });
});

describe('a malformed line loses only itself', () => {
  it('keeps the good lines after a malformed first line', async () => {
    const path = await tempFile(
      'first-line.jsonl',
      `{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":\n\n${line(auditEvent())}\n${line(auditEvent())}\n`,
    );
    expect(shape(await readAll(path))).toEqual([
      [1, 'not-json'],
      [3, 'object'],
      [4, 'object'],
    ]);
  });

  it('keeps the good lines around a malformed one further down', async () => {
    const path = await tempFile('middle.jsonl', `${line(auditEvent())}\n{"verb":\n${line(auditEvent())}\n`);
    expect(shape(await readAll(path))).toEqual([
      [1, 'object'],
      [2, 'not-json'],
      [3, 'object'],
    ]);
  });

  it('reads a pretty-printed document whole, and rejects a broken one once', async () => {
    const document = JSON.stringify({ Records: [cloudTrailRecord(), cloudTrailRecord()] }, null, 2);
    expect(shape(await readAll(await tempFile('trail.json', document)))).toEqual([['document', 'object']]);
    expect(shape(await readAll(await tempFile('broken.json', document.slice(0, -40))))).toEqual([['document', 'not-json']]);
  });

  it('reads a document that starts with a byte order mark', async () => {
    const document = `\uFEFF${JSON.stringify({ Records: [cloudTrailRecord()] }, null, 2)}`;
    expect(shape(await readAll(await tempFile('bom.json', document)))).toEqual([['document', 'object']]);
  });

  it('rejects the rest of a gzip file that is cut short, keeping what came before', async () => {
    const bytes = gzipSync(Array.from({ length: 200 }, () => line(auditEvent())).join('\n'));
    const items = await readAll(await tempFile('cut.jsonl.gz', bytes.subarray(0, bytes.length - 20)));
    expect(items.filter((item) => 'error' in item).map((item) => 'error' in item && item.code)).toEqual(['not-json']);
    expect(items.filter((item) => 'value' in item).length).toBeGreaterThan(150);
  });
});

describe('export layouts', () => {
  it('splits gzipped payloads written back to back (Firehose), gzip inside gzip too', async () => {
    const members = Buffer.concat([gzipSync(line(logsDataMessage([auditEvent()]))), gzipSync(line(logsDataMessage([auditEvent()])))]);
    expect(shape(await readAll(await tempFile('firehose', members)))).toEqual([
      ['value 1', 'object'],
      ['value 2', 'object'],
    ]);
    expect(shape(await readAll(await tempFile('firehose.gz', gzipSync(members))))).toEqual([
      ['value 1', 'object'],
      ['value 2', 'object'],
    ]);
  });

  it('reads "<timestamp> <message>" lines of a CloudWatch Logs export to S3 as their messages', async () => {
    const event = auditEvent();
    const path = await tempFile('000000.gz', gzipSync(`2026-11-21T02:22:30.000Z ${line(event)}\n2026-11-21T02:22:31.000Z I1121 plain text\n`));
    const items = await readAll(path);
    expect(items[0]).toEqual({ where: 1, value: event });
    expect(shape(items.slice(1))).toEqual([[2, 'not-json']]);
  });

  it('reads a Logs Insights CSV export, a quoted @message spanning lines included', async () => {
    const message = JSON.stringify(auditEvent(), null, 1);
    const csv = `@timestamp,@message\n2026-11-21 02:22:30.000,"${message.replaceAll('"', '""')}"\n2026-11-21 02:22:31.000,"${line(auditEvent()).replaceAll('"', '""')}"\n`;
    const items = await readAll(await tempFile('logs-insights-results.csv', csv));
    expect(shape(items)).toEqual([
      [2, 'object'],
      [2 + message.split('\n').length, 'object'],
    ]);
    expect(JSON.parse((items[0] as { value: Record<string, string> }).value['@message']!)).toEqual(JSON.parse(message));
  });

  it('rejects a CSV without @message once, naming the format', async () => {
    const csv = 'Event ID,Event time,User name,Event name\nee86271a,2026-11-20T16:04:58Z,gha-deploy,DescribeCluster\n';
    const items = await readAll(await tempFile('event-history.csv', csv));
    expect(shape(items)).toEqual([[1, 'unsupported-format']]);
    expect(items[0]).toMatchObject({ error: expect.stringContaining('CSV') });
  });
});
