import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { LocalState } from '#adapters/local/state-file';
import { parseConfigText } from '#core/config-text';
import { localStateWithPivot, run } from './run-cli.ts';

/** The indented YAML entry printed after the "Proposed suppression" or "accepted" line. */
function pastedEntry(stdout: string): string {
  const lines = stdout.split('\n');
  const start = lines.findIndex((line) => line.startsWith('  - '));
  const end = lines.findIndex((line, index) => index > start && !line.startsWith('  '));
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

describe('pivotguard resolve and report on the local state', () => {
  it('resolves the incident and writes a monthly report that shows it resolved', async () => {
    const { dir, file, incident } = await localStateWithPivot();
    const resolved = await run(['resolve', incident.id, '--state', file, '--reason', 'image rebuilt and rotated', '--by', 'alice']);
    expect(resolved).toMatchObject({ code: 0, stderr: '' });
    expect(resolved.stdout).toMatch(new RegExp(`^${incident.id} resolved by alice at \\S+: image rebuilt and rotated\\n$`));

    const out = join(dir, 'november.html');
    const report = await run(['report', '--month', '2026-11', '--state', file, '--out', out]);
    expect(report.code).toBe(0);
    expect(report.stdout).toMatch(/^November 2026: 1 incident opened \(1 critical\)/);
    expect(report.stdout).toMatch(/1 resolved/);
    expect(report.stdout).toContain(`Wrote ${out}`);
    await access(out);
    const page = await readFile(out, 'utf8');
    expect(page).toContain(incident.id);
    expect(page).toContain('status-resolved');

    const json = await run(['report', '--month', '2026-11', '--state', file, '--json']);
    expect(json.code).toBe(0);
    const data = JSON.parse(json.stdout);
    expect(data.kpis.incidents.opened).toBe(1);
    expect(data.kpis.incidents.byStatus).toMatchObject({ resolved: 1, open: 0 });
    expect(data.incidents).toEqual([expect.objectContaining({ id: incident.id, status: 'resolved' })]);
  });

  it('refuses a bad month with the calendar message (exit 2)', async () => {
    const { file } = await localStateWithPivot();
    const result = await run(['report', '--month', '2026-13', '--state', file]);
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toBe('pivotguard: the month must be written YYYY-MM, for example 2026-11; got "2026-13"\n');
  });
});

describe('pivotguard dismiss and accept-suppression', () => {
  it('needs a reason (exit 2)', async () => {
    const { file, incident } = await localStateWithPivot();
    const result = await run(['dismiss', incident.id, '--state', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^pivotguard: say why it is a false positive with --reason TEXT/);
  });

  it('records who dismissed it and when, and proposes a suppression ready to paste', async () => {
    const { file, incident } = await localStateWithPivot();
    const before = Date.now();
    const result = await run(['dismiss', incident.id, '--state', file, '--reason', 'red-team exercise', '--by', 'alice']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain(`pivotguard accept-suppression ${incident.id}`);

    const response = await (await LocalState.load(file)).responses.getResponse(incident.id);
    expect(response?.status).toBe('false-positive');
    const change = response!.history.at(-1)!;
    expect(change).toMatchObject({ by: 'alice', to: 'false-positive', reason: 'red-team exercise' });
    expect(Date.parse(change.at)).toBeGreaterThanOrEqual(before);
    expect(response?.proposedSuppression).toMatchObject({ scope: { namespace: 'payments', image: 'registry.example/checkout:2.14.0' } });

    const { config } = parseConfigText(`suppressions:\n${pastedEntry(result.stdout)}\n`, 'pasted');
    expect(config.suppressions).toEqual([
      {
        rule: response!.proposedSuppression!.rule,
        namespace: 'payments',
        image: 'registry.example/checkout:2.14.0',
        reason: 'red-team exercise',
        owner: 'alice',
        expires: new Date(`${response!.proposedSuppression!.expiresAt.slice(0, 10)}T00:00:00Z`),
      },
    ]);
  });

  it('accept-suppression records who accepted and prints the entry again; it needs a proposal first', async () => {
    const { file, incident } = await localStateWithPivot();
    const early = await run(['accept-suppression', incident.id, '--state', file, '--by', 'bob']);
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/no suppression was proposed/);

    await run(['dismiss', incident.id, '--state', file, '--reason', 'load test', '--by', 'alice']);
    const accepted = await run(['accept-suppression', incident.id, '--state', file, '--by', 'bob']);
    expect(accepted).toMatchObject({ code: 0, stderr: '' });
    const response = await (await LocalState.load(file)).responses.getResponse(incident.id);
    expect(response?.proposedSuppression?.accepted).toEqual({ at: expect.any(String), by: 'bob' });
    const { config } = parseConfigText(`suppressions:\n${pastedEntry(accepted.stdout)}\n`, 'pasted');
    expect(config.suppressions[0]).toMatchObject({ rule: response!.proposedSuppression!.rule, reason: 'load test', owner: 'bob' });
  });
});

describe('pivotguard approve, reject and undo on the local state', () => {
  it('refuses to decide: local replays decide up front (exit 1)', async () => {
    const { file, incident } = await localStateWithPivot();
    for (const command of ['approve', 'reject']) {
      const result = await run([command, incident.id, '--state', file]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('pivotguard replay --contain --approve');
    }
  });

  it('refuses to undo: the stand-in cluster is gone after the replay (exit 1)', async () => {
    const { file, incident } = await localStateWithPivot();
    const result = await run(['undo', incident.id, '--state', file]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/nothing to undo on local state: .*stand-in cluster/);
  });

  it('checks the action name (exit 2)', async () => {
    const { file, incident } = await localStateWithPivot();
    const result = await run(['undo', incident.id, 'unplug-cable', '--state', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown action "unplug-cable"; one of capture-evidence, isolate-pod/);
  });

  it('says plainly when the incident is unknown (exit 1)', async () => {
    const { file } = await localStateWithPivot();
    for (const args of [
      ['resolve', 'inc-nope'],
      ['dismiss', 'inc-nope', '--reason', 'x'],
      ['approve', 'inc-nope'],
      ['undo', 'inc-nope'],
      ['accept-suppression', 'inc-nope'],
    ]) {
      const result = await run([...args, '--state', file]);
      expect(result).toMatchObject({ code: 1, stderr: `pivotguard: no incident inc-nope in state file ${file}\n` });
    }
  });

  it('needs an incident argument (exit 2)', async () => {
    expect(await run(['resolve'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^pivotguard: name the incident; usage: pivotguard resolve INCIDENT/),
    });
  });
});

describe('pivotguard rbac', () => {
  it('prints a ClusterRole and a ClusterRoleBinding for kubectl apply', async () => {
    const result = await run(['rbac']);
    expect(result.code).toBe(0);
    const kinds = parseAllDocuments(result.stdout).map((document) => (document.toJS() as { kind: string }).kind);
    expect(kinds).toEqual(['ClusterRole', 'ClusterRoleBinding']);
  });
});

describe('pivotguard help', () => {
  it('lists every command', async () => {
    const { code, stdout } = await run(['help']);
    expect(code).toBe(0);
    for (const command of ['replay', 'approve', 'reject', 'undo', 'resolve', 'dismiss', 'accept-suppression', 'report', 'rbac']) {
      expect(stdout).toMatch(new RegExp(`^(usage:)? +pivotguard ${command}( |$)`, 'm'));
    }
  });
});
