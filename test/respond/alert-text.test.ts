import { beforeAll, describe, expect, it } from 'vitest';
import type { Incident } from '#core/model/incident';
import { BODY_MAX_BYTES, SUBJECT_MAX_CHARS, alertText, bodyWithin, clipText, printable, subjectLine } from '#core/respond/alert-text';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { ROLE_ARN, pivotScenario } from '../fixtures/pivot-scenario.ts';

let pivot: Incident;

beforeAll(async () => {
  const incidents = await incidentsOf(pivotScenario());
  expect(incidents).toHaveLength(1);
  pivot = {
    ...incidents[0]!,
    blastRadius: { ...incidents[0]!.blastRadius, rolePermissions: [{ roleArn: ROLE_ARN, policies: ['AmazonS3ReadOnlyAccess', 'checkout-secrets (inline)'] }] },
  };
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

describe('alertText for the container-to-cloud pivot', () => {
  it('says what happened: title, severity, confidence and the explanation', () => {
    const { body } = alertText({ incident: pivot, change: 'opened' });
    expect(linesOf(body)[0]).toBe(`New critical incident ${pivot.id}.`);
    const what = section(body, 'WHAT HAPPENED').join(' ');
    expect(what).toContain('Compromised pod payments/checkout-7d9f8b6c5-x2k4q used its cloud credentials from 198.51.100.23');
    expect(section(body, 'WHAT HAPPENED')).toContain('Severity: critical. Confidence: 99%.');
    expect(what).toContain('GuardDuty reverse shell in pod payments/checkout-7d9f8b6c5-x2k4q');
    expect(what).toContain('Seen 2026-11-21 02:13:04 UTC to 02:29:01 UTC.');
  });

  it('says where: cluster, namespace with its criticality, pod, owner, node and image, one per line', () => {
    expect(section(alertText({ incident: pivot, change: 'opened' }).body, 'WHERE')).toEqual([
      'Cluster: prod-east',
      'Namespace: payments (standard)',
      'Pod: checkout-7d9f8b6c5-x2k4q',
      'Owner: Deployment/checkout',
      'Service account: checkout',
      'Node: ip-10-0-42-17.ec2.internal',
      'Image: registry.example/checkout:2.14.0',
    ]);
  });

  it('names the role, its sessions and keys, and the outside address', () => {
    expect(section(alertText({ incident: pivot, change: 'opened' }).body, 'CLOUD IDENTITY')).toEqual([
      `Role: ${ROLE_ARN} (via IRSA)`,
      'Sessions: botocore-session-1763691910, aws-sdk-js-session-1',
      'Access keys: ASIAEXAMPLEATTACK003, ASIAEXAMPLENORMAL001',
      'Used from outside the cluster: 198.51.100.23',
    ]);
  });

  it('explains how sure it is with the objectives and a timeline of the signals', () => {
    const why = section(alertText({ incident: pivot, change: 'opened' }).body, 'HOW SURE, AND WHY');
    expect(why[0]).toBe('Confidence 99%, from 4 signals (GuardDuty, EKS audit, CloudTrail).');
    expect(why).toContain('- Execution (TA0002): T1059 Command and Scripting Interpreter');
    expect(why).toContain('- 02:13:04 GuardDuty (high): Execution:Runtime/ReverseShell in');
    expect(why.join(' ')).toContain('called sts:GetCallerIdentity');
    expect(why).toContain('- 2026-11-20 16:05:40 UTC: pod payments/checkout-7d9f8b6c5-x2k4q created');
  });

  it('lists the automatic steps apart from those waiting for approval', () => {
    const plan = section(alertText({ incident: pivot, change: 'opened' }).body, 'PLANNED RESPONSE');
    const approval = plan.indexOf('Steps that wait for your approval:');
    const automatic = plan.slice(0, approval).join(' ');
    const waiting = plan.slice(approval).join(' ');
    expect(automatic).toContain('- Capture evidence: prod-east/payments/checkout-7d9f8b6c5-x2k4q.');
    expect(automatic).toContain('- Isolate the pod: prod-east/payments/checkout-7d9f8b6c5-x2k4q.');
    expect(automatic).toContain('Revoke the role sessions:');
    expect(waiting).toContain('- Restart the pod: prod-east/payments/checkout-7d9f8b6c5-x2k4q.');
    expect(waiting).toContain('- Scale down the workload: prod-east/payments/Deployment/checkout.');
  });

  it('shows the blast radius: what the role may do and the pods that share it', () => {
    const risk = section(alertText({ incident: pivot, change: 'opened' }).body, 'WHAT IS AT RISK');
    expect(risk.slice(0, 3)).toEqual(['Role checkout-irsa may use these policies:', '- AmazonS3ReadOnlyAccess', '- checkout-secrets (inline)']);
    expect(risk).toContain('Pods with the same service account:');
    expect(risk).toContain('  prod-east/payments/checkout-7d9f8b6c5-m8z2p');
  });

  it('tells how to approve or dismiss with the CLI until approval links exist', () => {
    const { body } = alertText({ incident: pivot, change: 'opened' });
    expect(section(body, 'WHAT TO DO')).toEqual([
      'Approve the waiting steps:',
      `  pivotguard approve ${pivot.id}`,
      'Dismiss this incident (false positive):',
      `  pivotguard reject ${pivot.id}`,
      'Approval links will arrive in this alert with the containment workflow.',
    ]);
    const withLink = alertText({ incident: pivot, change: 'opened' }, { approveHint: 'Approve or dismiss: https://example.com/a/1' }).body;
    expect(section(withLink, 'WHAT TO DO')).toEqual(['Approve or dismiss: https://example.com/a/1']);
  });

  it('keeps every line short enough for a phone and the subject within what SNS takes', () => {
    const { subject, body } = alertText({ incident: pivot, change: 'opened' });
    for (const line of linesOf(body)) expect(line.length, line).toBeLessThanOrEqual(100);
    expect(linesOf(body).filter((line) => line.length > 72).length).toBeLessThanOrEqual(1);
    expect(subject.length).toBeLessThanOrEqual(SUBJECT_MAX_CHARS);
    expect(subject).toMatch(/^\[pivotguard\] CRITICAL: Compromised pod payments\/checkout-7d9f8b6c5-x2k4q used its cloud\.\.\.$/);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
  });

  it('says an escalation is one, and from which severity', () => {
    const { subject, body } = alertText({ incident: pivot, change: 'escalated', previousSeverity: 'high' });
    expect(subject.startsWith('[pivotguard] CRITICAL (was HIGH): ')).toBe(true);
    expect(linesOf(body)[0]).toBe(`Incident ${pivot.id} escalated from high to critical.`);
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
    expect(section(body, 'WHERE')).toContain('Pod: evil pod');
  });

  it('makes subjects ASCII without losing their meaning', () => {
    expect(subjectLine('Café → “quoted” – done…')).toBe('Cafe -> "quoted" - done...');
    expect(subjectLine('x'.repeat(150))).toHaveLength(SUBJECT_MAX_CHARS);
    expect(printable('a\tb\u200bc')).toBe('a bc');
  });
});

describe('alertText on a thin incident', () => {
  it('says what is unknown instead of leaving a section empty', () => {
    const thin: Incident = {
      ...pivot,
      workload: { cluster: null, namespace: null, namespaceCriticality: null, pod: null, owner: null, serviceAccount: null, image: null, imageDigest: null, node: null },
      identities: [],
      blastRadius: { rolePermissions: [], sameServiceAccountPods: [], sameImagePods: [], podsOnNode: [], notes: [] },
      plan: { automatic: [], approval: [] },
      signals: Array.from({ length: 30 }, (_, index) => ({ ...pivot.signals[0]!, id: `s${index}` })),
    };
    const { body } = alertText({ incident: thin, change: 'opened' });
    expect(section(body, 'WHERE')).toEqual(['No Kubernetes workload is linked to this incident.']);
    expect(section(body, 'CLOUD IDENTITY')).toEqual(['No IAM role is linked to this incident.']);
    expect(section(body, 'WHAT IS AT RISK')).toEqual(['Nothing beyond the workload itself is known to be reachable.']);
    expect(section(body, 'HOW SURE, AND WHY')).toContain('- ... 18 more signals ...');
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
      identities: Array.from({ length: 30 }, (_, index) => ({ ...pivot.identities[0]!, roleArn: `arn:aws:iam::111122223333:role/r${index}`, sessions: [megabyte] })),
      plan: { automatic: pivot.plan.automatic, approval: Array.from({ length: 500 }, (_, index) => ({ ...step, target: `${step.target}-${index}`, reason: megabyte })) },
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
    expect(section(body, 'WHAT TO DO')).toEqual([
      'Approve the waiting steps:',
      `  pivotguard approve ${pivot.id}`,
      'Dismiss this incident (false positive):',
      `  pivotguard reject ${pivot.id}`,
      'Approval links will arrive in this alert with the containment workflow.',
    ]);
  });
});

describe('bodyWithin', () => {
  it('drops whole lines before the last section, says how many, and keeps what to do', () => {
    const body = ['New critical incident inc-1.', ...Array.from({ length: 1000 }, (_, index) => `line ${index} ${'x'.repeat(90)}`), '', 'WHAT TO DO', '  pivotguard approve inc-1', ''].join('\n');
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
    expect(within).toBe('... 1 more line cut: the alert was longer than an email may be.\n');
  });
});

describe('clipText', () => {
  it('keeps the head, says how much was left out, and never splits a character in two', () => {
    expect(clipText('abcdef', 10)).toBe('abcdef');
    expect(clipText('abcdef', 4)).toBe('abcd… (2 more characters)');
    expect(clipText('ab\u{1F41A}cd', 3)).toBe('ab… (4 more characters)');
  });
});
