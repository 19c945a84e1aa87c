import { createHash } from 'node:crypto';
import type { Incident } from '#core/model/incident';

/** One raw record behind an incident's signals, as the signal store keeps it. */
export interface EvidenceRecord {
  eventId: string;
  source: string;
  raw: unknown;
}

export interface EvidenceInput {
  incident: Incident;
  records: EvidenceRecord[];
  /** Text (as kubectl printed it) is stored as .txt, anything else as .json. */
  podSpec?: unknown;
  podLogs?: unknown;
  /** The linked roles' policies, as the caller read them from IAM. */
  rolePolicies?: unknown;
  capturedAt: Date;
}

export interface EvidenceObject {
  key: string;
  bytes: number;
  sha256: string;
}

export interface EvidenceFile extends EvidenceObject {
  body: Buffer;
  contentType: string;
}

export interface EvidenceManifest {
  incidentId: string;
  capturedAt: string;
  objects: EvidenceObject[];
}

/** The input cannot be stored under a key that names it unambiguously. */
export class InvalidEvidenceInput extends Error {
  constructor(readonly reason: string) {
    super(`evidence not captured: ${reason}`);
    this.name = 'InvalidEvidenceInput';
  }
}

const SAFE_ID = /^[A-Za-z0-9._-]{1,128}$/;

/**
 * `incidents/<incidentId>/<capture time>/`. The time has no colons, so keys need no escaping
 * in the console or in shell commands; the same time always gives the same prefix.
 */
export function evidencePrefix(incidentId: string, capturedAt: Date): string {
  if (!SAFE_ID.test(incidentId)) throw new InvalidEvidenceInput(`incident id "${incidentId}" cannot name an S3 prefix`);
  if (!(capturedAt instanceof Date) || Number.isNaN(capturedAt.getTime())) throw new InvalidEvidenceInput('no valid capture time');
  return `incidents/${incidentId}/${capturedAt.toISOString().replaceAll(':', '')}/`;
}

/**
 * Everything to store for one capture, with keys and bodies that depend only on the input: a
 * retry with the same capture time produces the same objects, whatever order records come in.
 */
export function evidenceFiles(input: EvidenceInput): EvidenceFile[] {
  const prefix = evidencePrefix(input.incident.id, input.capturedAt);
  const files: EvidenceFile[] = [file(`${prefix}incident.json`, json(input.incident), 'application/json')];
  files.push(...recordFiles(prefix, input.records));
  if (input.podSpec !== undefined) files.push(textOrJson(`${prefix}pod-spec`, input.podSpec));
  if (input.podLogs !== undefined) files.push(textOrJson(`${prefix}pod-logs`, input.podLogs));
  if (input.rolePolicies !== undefined) files.push(file(`${prefix}role-policies.json`, json(input.rolePolicies), 'application/json'));
  return files;
}

/** The manifest names every object with its size and digest; its own digest goes in the record. */
export function evidenceManifestFile(incidentId: string, capturedAt: Date, files: EvidenceObject[]): EvidenceFile {
  const manifest: EvidenceManifest = {
    incidentId,
    capturedAt: capturedAt.toISOString(),
    objects: files.map(({ key, bytes, sha256 }) => ({ key, bytes, sha256 })),
  };
  return file(`${evidencePrefix(incidentId, capturedAt)}manifest.json`, json(manifest), 'application/json');
}

export function sha256Hex(body: Buffer | string): string {
  return createHash('sha256').update(body).digest('hex');
}

/**
 * One file per distinct record under records/<source>-<eventId>.json. The same record delivered
 * twice is stored once; different records sharing an event id (a re-published GuardDuty
 * finding) each get their digest in the name, so neither overwrites the other.
 */
function recordFiles(prefix: string, records: EvidenceRecord[]): EvidenceFile[] {
  const byName = new Map<string, Map<string, Buffer>>();
  for (const record of records) {
    if (!record.eventId) throw new InvalidEvidenceInput('a record has no event id');
    const name = `${safeName(record.source)}-${safeName(record.eventId)}`;
    const body = json(record.raw);
    const bodies = byName.get(name) ?? new Map<string, Buffer>();
    bodies.set(sha256Hex(body), body);
    byName.set(name, bodies);
  }
  const files: EvidenceFile[] = [];
  for (const [name, bodies] of byName) {
    for (const [digest, body] of bodies) {
      const suffix = bodies.size > 1 ? `-${digest.slice(0, 12)}` : '';
      files.push(file(`${prefix}records/${name}${suffix}.json`, body, 'application/json'));
    }
  }
  return files.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** Keeps names readable; a name that had to change carries a digest of the original. */
function safeName(value: string): string {
  const safe = value.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100);
  return safe === value ? safe : `${safe}-${sha256Hex(value).slice(0, 8)}`;
}

function textOrJson(base: string, value: unknown): EvidenceFile {
  return typeof value === 'string'
    ? file(`${base}.txt`, Buffer.from(value, 'utf8'), 'text/plain; charset=utf-8')
    : file(`${base}.json`, json(value), 'application/json');
}

function json(value: unknown): Buffer {
  let text: string | undefined;
  try {
    text = JSON.stringify(value ?? null, null, 2);
  } catch (error) {
    throw new InvalidEvidenceInput(`a value cannot be written as JSON (${(error as Error).message})`);
  }
  return Buffer.from(`${text ?? 'null'}\n`, 'utf8');
}

function file(key: string, body: Buffer, contentType: string): EvidenceFile {
  return { key, body, contentType, bytes: body.length, sha256: sha256Hex(body) };
}
