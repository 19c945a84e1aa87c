import { printError } from './terminal.ts';
import { UsageError } from './usage-error.ts';

/** Exit codes the README promises. */
export const EXIT = { refused: 1, usage: 2 } as const;

const FILE_PROBLEMS: Record<string, string> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EMFILE: 'too many open files',
};

const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

const EXPIRED_OR_INVALID_CREDENTIALS = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'TokenRefreshRequired',
]);

/**
 * The one place a failure becomes one line on stderr and an exit code: 2 for what the person can
 * fix in how they called pivotguard (arguments, files, configuration, credentials), 1 for refusals
 * and the unexpected. PIVOTGUARD_DEBUG=1 adds the stack trace.
 */
export function reportFailure(error: unknown, err: NodeJS.WritableStream, env: NodeJS.ProcessEnv = process.env): number {
  const { message, code } = describeFailure(error);
  printError(err, message);
  if (env.PIVOTGUARD_DEBUG === '1' || env.PIVOTGUARD_DEBUG === 'true') err.write(`${(error as Error)?.stack ?? String(error)}\n`);
  return code;
}

function describeFailure(error: unknown): { message: string; code: number } {
  if (error instanceof UsageError) return { message: error.message, code: EXIT.usage };
  const { name, message } = error instanceof Error ? error : { name: 'Error', message: String(error) };
  const system = error as NodeJS.ErrnoException;
  if (system?.code && FILE_PROBLEMS[system.code] && system.path) {
    return { message: `cannot use ${system.path}: ${FILE_PROBLEMS[system.code]}`, code: EXIT.usage };
  }
  if (system?.code && UNREACHABLE.has(system.code))
    return { message: `cannot reach AWS (${firstLine(message)}): check the network, a proxy, or AWS_ENDPOINT_URL`, code: EXIT.refused };
  if (name === 'CredentialsProviderError') {
    return { message: 'no AWS credentials: set AWS_PROFILE (and run aws sso login), or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY', code: EXIT.usage };
  }
  if (/region is missing/i.test(message)) return { message: 'no AWS region: set AWS_REGION (or a profile with a region)', code: EXIT.usage };
  if (EXPIRED_OR_INVALID_CREDENTIALS.has(name))
    return { message: `AWS refused your credentials (${name}): refresh them, e.g. aws sso login`, code: EXIT.usage };
  if (name === 'ResourceNotFoundException') return { message: `AWS has no such resource: ${firstLine(message)}; check the name you passed`, code: EXIT.usage };
  if ((error as { $metadata?: unknown })?.$metadata !== undefined) return { message: `AWS refused: ${name}: ${firstLine(message)}`, code: EXIT.refused };
  return { message: `unexpected ${name}: ${firstLine(message)} (PIVOTGUARD_DEBUG=1 prints where)`, code: EXIT.refused };
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
