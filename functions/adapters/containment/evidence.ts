import { HeadObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { Incident } from '#core/model/incident';
import type { ActionRecord, UndoStep } from '#core/respond/action';
import {
  type EvidenceFile,
  type EvidenceObject,
  type EvidenceInput,
  InvalidEvidenceInput,
  evidenceFiles,
  evidenceManifestFile,
  evidencePrefix,
} from '#core/respond/evidence-manifest';

export interface EvidenceLockerOptions {
  bucket: string;
  /** The bucket has Object Lock enabled: every object is written with GOVERNANCE retention. */
  objectLock: boolean;
  /** How long each object is retained, counted from the capture time. */
  retentionDays?: number;
  /** Refuse to write into a bucket another account took over under the same name. */
  expectedBucketOwner?: string;
  clock?: () => Date;
}

/** `capturedAt` is fixed by the workflow for the whole capture, so a retry writes the same keys. */
export interface CaptureInput extends EvidenceInput {
  dryRun: boolean;
  /** Defaults to the pod (cluster/namespace/pod), as the plan names the step's target. */
  target?: string;
}

export interface CaptureResult {
  record: ActionRecord;
  /** Empty when the input could not be laid out as objects (the record says why). */
  manifestKey: string;
  manifestSha256: string;
  /** Every object the manifest lists (the manifest itself is not among them). */
  objects: EvidenceObject[];
}

export const DEFAULT_RETENTION_DAYS = 90;
const DAY_MS = 24 * 60 * 60 * 1000;
/** A few writes at a time: fast for an incident's records without tripping S3's prefix limits. */
const PARALLEL_WRITES = 4;

/** Both a key and the one beside it hold other bytes: evidence is never overwritten. */
class EvidenceConflict extends Error {
  constructor(readonly key: string) {
    super(`${key} already holds different content`);
    this.name = 'EvidenceConflict';
  }
}

class MissingPermission extends Error {
  constructor(readonly iamAction: string) {
    super(`missing ${iamAction}`);
    this.name = 'MissingPermission';
  }
}

/**
 * Writes an incident's evidence into a versioned, Object Lock bucket before any containment step
 * changes what there is to see. Each object carries its SHA-256 so S3 rejects a body that changed
 * in transit, is written only if the key is new (a retry finds its own objects and checks their
 * digest; a changed object goes beside the earlier one), and the manifest, written last, lists
 * every object with its key, size and digest.
 */
export class EvidenceLocker {
  private readonly retentionDays: number;
  private readonly clock: () => Date;

  constructor(
    private readonly s3: S3Client,
    private readonly options: EvidenceLockerOptions,
  ) {
    this.retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
    if (!Number.isInteger(this.retentionDays) || this.retentionDays < 1) {
      throw new Error(`evidence retention must be a whole number of days, got ${options.retentionDays}`);
    }
    this.clock = options.clock ?? (() => new Date());
  }

  async capture(input: CaptureInput): Promise<CaptureResult> {
    const startedAt = this.clock().toISOString();
    const undo: UndoStep = {
      kind: 'none',
      reason: this.options.objectLock ? `evidence is kept under Object Lock for ${this.retentionDays} days` : 'evidence is kept',
    };
    const record = (result: ActionRecord['result'], detail: string): ActionRecord => ({
      action: 'capture-evidence',
      incidentId: input.incident.id,
      target: input.target ?? targetOf(input.incident),
      startedAt,
      finishedAt: this.clock().toISOString(),
      result,
      detail,
      undo,
    });

    let files: EvidenceFile[];
    let planned: EvidenceFile;
    try {
      files = evidenceFiles(input);
      planned = evidenceManifestFile(input.incident.id, input.capturedAt, files);
    } catch (error) {
      if (error instanceof InvalidEvidenceInput) return { record: record('failed', error.message), manifestKey: '', manifestSha256: '', objects: [] };
      throw error;
    }
    const result = (actionRecord: ActionRecord, manifest: EvidenceFile, objects: EvidenceObject[]): CaptureResult => ({
      record: actionRecord,
      manifestKey: manifest.key,
      manifestSha256: manifest.sha256,
      objects,
    });
    const place = `s3://${this.options.bucket}/${evidencePrefix(input.incident.id, input.capturedAt)}`;
    const totalBytes = files.reduce((sum, file) => sum + file.bytes, 0);

    if (input.dryRun)
      return result(record('dry-run', `would write ${files.length} object(s), ${totalBytes} bytes, and a manifest to ${place}`), planned, files.map(objectOf));

    const retainUntil = new Date(input.capturedAt.getTime() + this.retentionDays * DAY_MS);
    let stored: StoredFile[];
    let manifest: StoredFile;
    try {
      stored = await inBatches(files, PARALLEL_WRITES, (file) => this.put(file, retainUntil));
      // The manifest goes last, listing the keys actually written: its presence means every object it lists is stored.
      manifest = await this.put(
        evidenceManifestFile(
          input.incident.id,
          input.capturedAt,
          stored.map(({ file }) => file),
        ),
        retainUntil,
      );
    } catch (error) {
      const reason = failureReason(error);
      if (reason) return result(record('failed', `evidence not fully stored under ${place}: ${reason}`), planned, files.map(objectOf));
      throw error;
    }
    const outcomes = [...stored, manifest];
    const objects = stored.map(({ file }) => objectOf(file));
    const written = outcomes.filter((outcome) => outcome.written).length;
    if (written === 0)
      return result(record('already-applied', `all ${files.length} object(s) and the manifest were already stored under ${place}`), manifest.file, objects);
    const lock = this.options.objectLock ? `, retained (GOVERNANCE) until ${retainUntil.toISOString()}` : '';
    const existing = outcomes.length - written;
    const beside = outcomes.filter((outcome) => outcome.beside).length;
    const again = [existing > 0 ? `${existing} already there` : '', beside > 0 ? `${beside} beside an earlier, different version` : '']
      .filter(Boolean)
      .join(', ');
    return result(
      record(
        'applied',
        `stored ${files.length} object(s), ${totalBytes} bytes, and manifest sha256 ${manifest.file.sha256} under ${place}${again ? ` (${again})` : ''}${lock}`,
      ),
      manifest.file,
      objects,
    );
  }

  /**
   * Writes a file only if its key is new. A key already holding the same digest is this capture's
   * own (a retry). A key holding other bytes is an earlier capture of a changed incident (or of
   * logs that grew): this version goes beside it, under a key naming its digest, never over it.
   */
  private async put(file: EvidenceFile, retainUntil: Date): Promise<StoredFile> {
    if (await this.putIfNew(file, retainUntil)) return { file, written: true, beside: false };
    if (await this.holds(file)) return { file, written: false, beside: false };
    const besideFile = { ...file, key: besideKey(file) };
    if (await this.putIfNew(besideFile, retainUntil)) return { file: besideFile, written: true, beside: true };
    if (await this.holds(besideFile)) return { file: besideFile, written: false, beside: true };
    throw new EvidenceConflict(besideFile.key);
  }

  /** False when the key exists already. */
  private async putIfNew(file: EvidenceFile, retainUntil: Date): Promise<boolean> {
    try {
      await this.s3.send(
        new PutObjectCommand({
          Bucket: this.options.bucket,
          Key: file.key,
          Body: file.body,
          ContentType: file.contentType,
          ChecksumSHA256: checksumOf(file),
          IfNoneMatch: '*',
          ...(this.options.expectedBucketOwner ? { ExpectedBucketOwner: this.options.expectedBucketOwner } : {}),
          ...(this.options.objectLock ? { ObjectLockMode: 'GOVERNANCE' as const, ObjectLockRetainUntilDate: retainUntil } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (isPreconditionFailed(error)) return false;
      throw asMissingPermission(error, this.options.objectLock ? 's3:PutObject or s3:PutObjectRetention' : 's3:PutObject');
    }
  }

  /** Whether the object under the file's key has the file's digest. */
  private async holds(file: EvidenceFile): Promise<boolean> {
    try {
      const head = await this.s3.send(
        new HeadObjectCommand({
          Bucket: this.options.bucket,
          Key: file.key,
          ChecksumMode: 'ENABLED',
          ...(this.options.expectedBucketOwner ? { ExpectedBucketOwner: this.options.expectedBucketOwner } : {}),
        }),
      );
      return head.ChecksumSHA256 === checksumOf(file);
    } catch (error) {
      throw asMissingPermission(error, 's3:GetObject');
    }
  }
}

interface StoredFile {
  /** The file as written: its key is the planned one, or the one beside it. */
  file: EvidenceFile;
  /** False when an earlier attempt of this capture had stored it already. */
  written: boolean;
  beside: boolean;
}

function objectOf({ key, bytes, sha256 }: EvidenceObject): EvidenceObject {
  return { key, bytes, sha256 };
}

function checksumOf(file: EvidenceFile): string {
  return Buffer.from(file.sha256, 'hex').toString('base64');
}

/** `incident.json` -> `incident-<digest>.json`: a different version of an object, beside it. */
function besideKey(file: EvidenceFile): string {
  const dot = file.key.lastIndexOf('.');
  const digest = file.sha256.slice(0, 12);
  return dot > file.key.lastIndexOf('/') ? `${file.key.slice(0, dot)}-${digest}${file.key.slice(dot)}` : `${file.key}-${digest}`;
}

/** The step's target as the plan names it: the pod, else the first linked role. */
function targetOf(incident: Incident): string {
  const { cluster, namespace, pod } = incident.workload;
  if (pod) return `${cluster}/${namespace}/${pod}`;
  return incident.identities[0]?.roleArn ?? 'incident';
}

async function inBatches<T, R>(items: T[], size: number, run: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += size) {
    results.push(...(await Promise.all(items.slice(start, start + size).map(run))));
  }
  return results;
}

function errorName(error: unknown): string {
  if (!error || typeof error !== 'object') return '';
  const { name, Code } = error as { name?: unknown; Code?: unknown };
  return typeof name === 'string' ? name : typeof Code === 'string' ? Code : '';
}

function isPreconditionFailed(error: unknown): boolean {
  const status = (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
  return errorName(error) === 'PreconditionFailed' || status === 412;
}

function asMissingPermission(error: unknown, iamAction: string): unknown {
  return ['AccessDenied', 'AccessDeniedException', 'Forbidden'].includes(errorName(error)) ? new MissingPermission(iamAction) : error;
}

/**
 * Failures a retry cannot fix. Throttling (SlowDown), 5xx, concurrent-write conflicts (409) and
 * a body damaged in transit (BadDigest) are rethrown for the state machine to retry.
 */
function failureReason(error: unknown): string | undefined {
  if (error instanceof MissingPermission) return `pivotguard may not call ${error.iamAction} on the evidence bucket`;
  if (error instanceof EvidenceConflict) return `${error.key} already holds different content; capture again with a new capture time`;
  switch (errorName(error)) {
    case 'NoSuchBucket':
      return 'the evidence bucket does not exist';
    case 'InvalidRequest':
    case 'InvalidArgument':
    case 'InvalidDigest':
      return `S3 refused the object (${errorName(error)}: ${(error as Error).message})`;
    default:
      return undefined;
  }
}
