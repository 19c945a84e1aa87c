import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { reportFailure } from '../../bin/cli/failure.ts';
import { COMMANDS } from '../../bin/cli/usage.ts';
import { localStateWithPivot, run } from './run-cli.ts';

const VERSION = (JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string }).version;

/** A failure is one line on stderr, `pivotguard: ` first, and nothing on stdout. */
function expectOneLine(result: { code: number; stdout: string; stderr: string }, code: number): void {
  expect(result.code).toBe(code);
  expect(result.stdout).toBe('');
  expect(result.stderr).toMatch(/^pivotguard: [^\n]+\n$/);
}

describe('every command answers --help', () => {
  it.each(Object.keys(COMMANDS))('%s --help prints its usage and exits 0, touching nothing', async (command) => {
    for (const flag of ['--help', '-h']) {
      const result = await run([command, flag]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(new RegExp(`^usage: pivotguard ${command}( |\\n)`));
    }
  });

  it('pivotguard --version prints the package version', async () => {
    expect(await run(['--version'])).toEqual({ code: 0, stdout: `pivotguard ${VERSION}\n`, stderr: '' });
  });

  it('pivotguard help COMMAND explains the command; pivotguard alone prints the usage and exits 2', async () => {
    expect((await run(['help', 'report'])).stdout).toMatch(/^usage: pivotguard report /);
    const bare = await run([]);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toMatch(/^usage: /);
  });
});

describe('failures are one line with the promised exit code', () => {
  it('a report written to a missing folder (exit 2)', async () => {
    const { file } = await localStateWithPivot();
    const result = await run(['report', '--state', file, '--out', '/nonexistent-folder/r.html']);
    expectOneLine(result, 2);
    expect(result.stderr).toContain('/nonexistent-folder/r.html');
  });

  it('--state naming a YAML file (exit 2), for every command that reads state', async () => {
    const yaml = join(await mkdtemp(join(tmpdir(), 'pivotguard-cli-')), 'pivotguard.yaml');
    await writeFile(yaml, 'windowHours: 24\n');
    for (const args of [['report'], ['resolve', 'inc-1'], ['dismiss', 'inc-1', '--reason', 'x']]) {
      const result = await run([...args, '--state', yaml]);
      expectOneLine(result, 2);
      expect(result.stderr).toContain('--state');
    }
  });

  it('no AWS credentials for --table (exit 2)', async () => {
    const nowhere = join(await mkdtemp(join(tmpdir(), 'pivotguard-cli-')), 'none');
    for (const name of [
      'AWS_PROFILE',
      'AWS_ACCESS_KEY_ID',
      'AWS_SECRET_ACCESS_KEY',
      'AWS_SESSION_TOKEN',
      'AWS_WEB_IDENTITY_TOKEN_FILE',
      'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
      'AWS_CONTAINER_CREDENTIALS_FULL_URI',
    ]) {
      vi.stubEnv(name, undefined);
    }
    vi.stubEnv('AWS_REGION', 'us-east-1');
    vi.stubEnv('AWS_SHARED_CREDENTIALS_FILE', nowhere);
    vi.stubEnv('AWS_CONFIG_FILE', nowhere);
    vi.stubEnv('AWS_EC2_METADATA_DISABLED', 'true');
    for (const args of [['report'], ['resolve', 'inc-1', '--by', 'alice']]) {
      const result = await run([...args, '--table', 'pivotguard-state']);
      expectOneLine(result, 2);
      expect(result.stderr).toMatch(/AWS credentials/);
    }
  });

  it('an unknown command or option (exit 2)', async () => {
    expectOneLine(await run(['frobnicate']), 2);
    expectOneLine(await run(['report', '--colour']), 2);
  });

  it('anything unexpected: one line and exit 1, the stack trace only with PIVOTGUARD_DEBUG=1', () => {
    const said = (env: NodeJS.ProcessEnv) => {
      const err = new PassThrough();
      const chunks: string[] = [];
      err.on('data', (chunk) => chunks.push(String(chunk)));
      const code = reportFailure(new TypeError('cannot read properties of undefined\n    at somewhere'), err, env);
      return { code, text: chunks.join('') };
    };
    const quiet = said({});
    expect(quiet.code).toBe(1);
    expect(quiet.text).toMatch(/^pivotguard: [^\n]+\n$/);
    const debug = said({ PIVOTGUARD_DEBUG: '1' });
    expect(debug.text.split('\n').length).toBeGreaterThan(2);
    expect(debug.text).toMatch(/TypeError/);
  });
});
