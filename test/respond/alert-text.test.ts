import { beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '#core/model/incident';
import { BODY_MAX_BYTES, SUBJECT_MAX_CHARS, alertText, bodyWithin, subjectLine } from '#core/respond/alert-text';
import { type IncidentView, incidentView } from '#core/view/incident-view';
import { NOTHING } from '#core/view/words';
import { pivotIncident } from '../view/pivot.ts';

// The wording itself is in test/view/__golden__/email-*.txt; these tests check what the alert holds and its limits.
let pivot: Incident;
let view: IncidentView;

beforeAll(async () => {
  pivot = await pivotIncident();
  view = incidentView(pivot);
});

function linesOf(body: string): string[] {
  return body.split('\n');
}

/** The lines from a section's title to the next blank line. */
function section(body: string, title: string): string[] {
  const lines = linesOf(body);
  const start = lines.indexOf(title);
  expect(start, `section ${title}`).toBeGreaterThanOrEqual(0);
  const end = lines.indexOf('', start);
  return lines.slice(start + 1, end === -1 ? undefined : end);
}

/** A section as one line of text, its wrapping undone. */
function flat(body: string, title: string): string {
  return section(body, title)
    .map((line) => line.trim())
    .join(' ');
}

describe('alertText for the container-to-cloud pivot', () => {
  it('says what happened: headline, severity, confidence, the explanation and when', () => {
    const { body } = alertText({ incident: pivot, change: 'opened' });
    expect(linesOf(body)[0]).toContain(view.id);
    const what = flat(body, 'WHAT HAPPENED');
    for (const fact of [view.headline, view.risk.severity, view.risk.confidenceText, view.explanation, '2026-11-21 02:13:04 UTC', '02:29:01'])
      expect(what).toContain(fact);
  });

  it('says where: one line per known field of the workload, in the view’s order', () => {
    const where = section(alertText({ incident: pivot, change: 'opened' }).body, 'WHERE');
    expect(where).toHaveLength(view.where.fields.length);
    view.where.fields.forEach((field, index) => {
      expect(where[index]).toContain(field.label);
      expect(where[index]).toContain(field.value);
    });
  });

  it('names the role with how it was linked, its sessions and keys, and the outside address', () => {
    const identity = flat(alertText({ incident: pivot, change: 'opened' }).body, 'CLOUD IDENTITY');
    const [role] = view.identities;
    for (const fact of [role!.roleArn, role!.via.label, ...role!.sessions, ...role!.accessKeyIds, ...role!.outsideIps]) expect(identity).toContain(fact);
  });

  it('explains how sure it is with the sources, the objectives and one bullet per signal', () => {
    const { body } = alertText({ incident: pivot, change: 'opened' });
    const why = flat(body, 'HOW SURE, AND WHY');
    for (const source of view.sources) expect(why).toContain(source.label);
    for (const objective of view.objectives) expect(why).toContain(`${objective.tactic}: ${objective.technique}`);
    for (const entry of view.timeline) expect(why).toContain(entry.summary);
    for (const change of view.whatChanged) expect(why).toContain(change.description);
  });

  it('lists the automatic steps apart from those waiting for approval, each with its label and target', () => {
    const plan = flat(alertText({ incident: pivot, change: 'opened' }).body, 'PLANNED RESPONSE');
    const position = (step: IncidentView['plan']['automatic'][number]) => plan.indexOf(`${step.action.label}: ${step.target}`);
    const automatic = view.plan.automatic.map(position);
    const approval = view.plan.approval.map(position);
    expect([...automatic, ...approval].every((index) => index >= 0)).toBe(true);
    expect(Math.max(...automatic)).toBeLessThan(Math.min(...approval));
  });

  it('shows the blast radius: what the role may use and the pods that share it', () => {
    const risk = flat(alertText({ incident: pivot, change: 'opened' }).body, 'WHAT IS AT RISK');
    const radius = view.risk.blastRadius;
    for (const fact of [radius.roles[0]!.roleName, ...radius.roles[0]!.policies, ...radius.sameServiceAccountPods, ...radius.notes])
      expect(risk).toContain(fact);
  });

  it('gives the commands to approve or dismiss until approval links exist, and the link once they do', () => {
    const commands = section(alertText({ incident: pivot, change: 'opened' }).body, 'WHAT TO DO').filter((line) => line.startsWith('  '));
    expect(commands).toEqual([`  pivotguard approve ${pivot.id}`, `  pivotguard reject ${pivot.id}`]);
    const hint = 'Approve or dismiss: https://example.com/a/1';
    expect(section(alertText({ incident: pivot, change: 'opened' }, { approveHint: hint }).body, 'WHAT TO DO')).toEqual([hint]);
  });

  it('keeps every line short enough for a phone and the subject within what SNS takes', () => {
    const { subject, body } = alertText({ incident: pivot, change: 'opened' });
    for (const line of linesOf(body)) expect(line.length, line).toBeLessThanOrEqual(100);
    expect(linesOf(body).filter((line) => line.length > 72).length).toBeLessThanOrEqual(1);
    expect(subject.length).toBeLessThanOrEqual(SUBJECT_MAX_CHARS);
    expect(subject.startsWith('[pivotguard] CRITICAL: ')).toBe(true);
    expect(subject.endsWith('...')).toBe(true);
    expect(view.headline.startsWith(subject.slice('[pivotguard] CRITICAL: '.length, -3))).toBe(true);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it('says an escalation is one, and from which severity', () => {
    const { subject, body } = alertText({ incident: pivot, change: 'escalated', previousSeverity: 'high' });
    expect(subject.startsWith('[pivotguard] CRITICAL (was HIGH): ')).toBe(true);
    expect(linesOf(body)[0]).not.toBe(linesOf(alertText({ incident: pivot, change: 'opened' }).body)[0]);
    for (const fact of [view.id, 'high', 'critical']) expect(linesOf(body)[0]).toContain(fact);
  });
});

describe('alertText keeps output printable', () => {
  it('strips control characters and bidirectional overrides from any field', () => {
    const hostile: Incident = {
      ...pivot,
      title: 'Pod \u001b[31mred\u001b[0m\r\nFAKE LINE \u202egnp.exe',
      workload: { ...pivot.workload, pod: 'evil\u0000pod\u0007' },
    };
    const { subject, body } = alertText({ incident: hostile, change: 'opened' });
    expect(body).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(section(body, 'WHERE').find((line) => line.startsWith('Pod'))).toContain('evil pod');
  });

  it('makes subjects ASCII and short enough for SNS', () => {
    expect(subjectLine('Café → “quoted” – done…')).toBe('Cafe -> "quoted" - done...');
    expect(subjectLine('x'.repeat(150))).toHaveLength(SUBJECT_MAX_CHARS);
  });
});

describe('alertText on a thin incident', () => {
  it('says what is unknown instead of leaving a section empty', () => {
    const thin: Incident = {
      ...pivot,
      workload: {
        cluster: null,
        namespace: null,
        namespaceCriticality: null,
        pod: null,
        owner: null,
        serviceAccount: null,
        image: null,
        imageDigest: null,
        node: null,
      },
      identities: [],
      blastRadius: { rolePermissions: [], sameServiceAccountPods: [], sameImagePods: [], podsOnNode: [], notes: [] },
      plan: { automatic: [], approval: [] },
      signals: Array.from({ length: 30 }, (_, index) => ({ ...pivot.signals[0]!, id: `s${index}` })),
    };
    const { body } = alertText({ incident: thin, change: 'opened' });
    expect(section(body, 'WHERE')).toEqual([NOTHING.workload]);
    expect(section(body, 'CLOUD IDENTITY')).toEqual([NOTHING.role]);
    expect(section(body, 'WHAT IS AT RISK')).toEqual([NOTHING.reach]);
    // Eight signals from the start, four from the end, and one line for the 18 between.
    const bullets = section(body, 'HOW SURE, AND WHY').filter((line) => line.startsWith('- '));
    expect(bullets.filter((line) => line.includes(view.sources[0]!.label))).toHaveLength(12);
    expect(bullets.filter((line) => /\b18\b/.test(line))).toHaveLength(1);
  });
});

describe('alertText on an incident that quotes megabytes', () => {
  const megabyte = 'é'.repeat(1024 * 1024);

  function hugeIncident(): Incident {
    const step = pivot.plan.approval[0]!;
    return {
      ...pivot,
      title: megabyte,
      explanation: megabyte,
      workload: { ...pivot.workload, pod: megabyte, image: megabyte },
      signals: Array.from({ length: 40 }, (_, index) => ({ ...pivot.signals[0]!, id: `s${index}`, summary: `${index} ${megabyte}` })),
      identities: Array.from({ length: 30 }, (_, index) => ({
        ...pivot.identities[0]!,
        roleArn: `arn:aws:iam::111122223333:role/r${index}`,
        sessions: [megabyte],
      })),
      plan: {
        automatic: pivot.plan.automatic,
        approval: Array.from({ length: 500 }, (_, index) => ({ ...step, target: `${step.target}-${index}`, reason: megabyte })),
      },
      blastRadius: { ...pivot.blastRadius, notes: Array.from({ length: 100 }, () => megabyte) },
      whatChanged: Array.from({ length: 100 }, () => ({ time: pivot.firstSeen, description: megabyte })),
    };
  }

  it('stays within what SNS takes, each entry clipped and each list cut with how many more', () => {
    const { body } = alertText({ incident: hugeIncident(), change: 'opened' });
    expect(Buffer.byteLength(body, 'utf8')).toBeLessThanOrEqual(BODY_MAX_BYTES);
    for (const line of linesOf(body)) expect(line.length, line.slice(0, 40)).toBeLessThanOrEqual(100);
    expect(body).toMatch(/… \(\d+ more characters\)/);
    expect(section(body, 'CLOUD IDENTITY')).toContain('and 25 more roles');
    expect(section(body, 'PLANNED RESPONSE')).toContain('- and 480 more');
    expect(section(body, 'WHAT TO DO').filter((line) => line.startsWith('  '))).toEqual([
      `  pivotguard approve ${pivot.id}`,
      `  pivotguard reject ${pivot.id}`,
    ]);
  });
});

describe('bodyWithin', () => {
  it('drops whole lines before the last section, says how many, and keeps what to do', () => {
    const body = [
      'New critical incident inc-1.',
      ...Array.from({ length: 1000 }, (_, index) => `line ${index} ${'x'.repeat(90)}`),
      '',
      'WHAT TO DO',
      '  pivotguard approve inc-1',
      '',
    ].join('\n');
    const within = bodyWithin(body, 10_000);
    expect(Buffer.byteLength(within, 'utf8')).toBeLessThanOrEqual(10_000);
    const lines = linesOf(within);
    expect(lines[0]).toBe('New critical incident inc-1.');
    expect(lines.slice(-4)).toEqual(['', 'WHAT TO DO', '  pivotguard approve inc-1', '']);
    const cut = lines.find((line) => line.startsWith('... '));
    expect(Number(/^\.\.\. (\d+) more lines cut/.exec(cut ?? '')?.[1])).toBe(1000 - (lines.length - 6));
    expect(bodyWithin('short\n', 10_000)).toBe('short\n');
  });

  it('fits a body of one enormous line, which it cannot cut at a line', () => {
    const within = bodyWithin(`${'y'.repeat(500_000)}\n`, 10_000);
    expect(Buffer.byteLength(within, 'utf8')).toBeLessThanOrEqual(10_000);
    expect(linesOf(within)).toHaveLength(2);
    expect(within).toMatch(/^\.\.\. 1 more line cut/);
  });
});
