/** ok: in place; fail: missing or wrong; warn: pivotguard cannot tell, or advice. */
export type CheckStatus = 'ok' | 'fail' | 'warn';

/** One line of `pivotguard doctor`. */
export interface CheckResult {
  /** Stable identifier, e.g. `trail` or `cluster/prod-east/audit-logging`. */
  id: string;
  status: CheckStatus;
  /** True when this failure stops the deploy or detection (only ever on a `fail`). */
  blocking: boolean;
  summary: string;
  /** The command (or commands, one a line) that puts it right. */
  fix?: string;
}

export function ok(id: string, summary: string): CheckResult {
  return { id, status: 'ok', blocking: false, summary };
}

export function fail(id: string, summary: string, fix: string | undefined, options: { blocking: boolean }): CheckResult {
  return { id, status: 'fail', blocking: options.blocking, summary, ...(fix ? { fix } : {}) };
}

export function warn(id: string, summary: string, fix?: string): CheckResult {
  return { id, status: 'warn', blocking: false, summary, ...(fix ? { fix } : {}) };
}

/** An AWS call that failed, with the IAM action it needed. */
export class AwsCallFailed extends Error {
  override name = 'AwsCallFailed';

  constructor(
    /** The IAM action, e.g. `cloudtrail:DescribeTrails`. */
    readonly action: string,
    /** AWS's error code (the SDK error's name). */
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Runs one AWS request; a failure becomes an AwsCallFailed naming the IAM action it needed. */
export async function ask<T>(action: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    throw new AwsCallFailed(action, errorCode(error), error instanceof Error ? error.message : String(error));
  }
}

/** Like ask, but undefined when AWS's answer says the thing asked about does not exist. */
export async function askIfExists<T>(action: string, request: () => Promise<T>, isAbsent: (error: AwsCallFailed) => boolean): Promise<T | undefined> {
  try {
    return await ask(action, request);
  } catch (error) {
    if (error instanceof AwsCallFailed && isAbsent(error)) return undefined;
    throw error;
  }
}

/** Runs one area's checks; whatever it throws becomes a single non-blocking `warn` line under `id`. */
export async function runCheck(id: string, check: () => Promise<CheckResult | CheckResult[]>): Promise<CheckResult[]> {
  try {
    return [await check()].flat();
  } catch (error) {
    return [cannotTell(id, error)];
  }
}

/** The line for a check that could not be made: which permission or setting is missing. */
export function cannotTell(id: string, error: unknown): CheckResult {
  if (!(error instanceof AwsCallFailed)) return warn(id, `cannot tell: unexpected error: ${error instanceof Error ? error.message : String(error)}`);
  const { action, code, message } = error;
  if (ACCESS_DENIED.test(code)) {
    return warn(id, `cannot tell: AccessDenied on ${action}`, `allow ${action} to the caller (the AWS managed policy ReadOnlyAccess has it)`);
  }
  if (THROTTLED.test(code)) return warn(id, `cannot tell: AWS throttled ${action}; run pivotguard doctor again`);
  if (NO_CREDENTIALS.test(code)) return warn(id, `cannot tell: no usable AWS credentials for ${action} (${message})`);
  return warn(id, `cannot tell: ${code} on ${action}: ${message}`);
}

const ACCESS_DENIED = /^(AccessDenied(Exception)?|UnauthorizedOperation|UnauthorizedException|AuthorizationError)$/;
const THROTTLED = /^(Throttling(Exception)?|TooManyRequestsException|RequestLimitExceeded|ThrottledException)$/;
const NO_CREDENTIALS = /^(CredentialsProviderError|ExpiredToken(Exception)?|InvalidClientTokenId|UnrecognizedClientException)$/;

/** The SDK error's name is AWS's error code. */
function errorCode(error: unknown): string {
  if (!error || typeof error !== 'object') return 'Error';
  const { name, Code } = error as { name?: unknown; Code?: unknown };
  return typeof name === 'string' ? name : typeof Code === 'string' ? Code : 'Error';
}
