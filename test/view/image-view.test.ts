import { describe, expect, it } from 'vitest';
import type { IncidentImage } from '#core/model/vulnerability';
import { imageViewOf } from '#core/view/image-view';
import { OPENSSL as OPENSSL_FINDING } from '../fixtures/scenarios/vulnerable-image.ts';

const DIGEST = `sha256:${'7c'.repeat(32)}`;

function image(overrides: Partial<IncidentImage> = {}): IncidentImage {
  return {
    digest: DIGEST,
    repository: 'checkout',
    pushedAt: '2026-11-20T14:02:00.000Z',
    rolledOutAt: '2026-11-20T14:09:00.000Z',
    production: true,
    scanned: true,
    vulnerabilities: [],
    moreBySeverity: {},
    runsElsewhere: [],
    samePackageDigests: [],
    admission: { outcome: 'not-checked', details: [] },
    ...overrides,
  };
}

const OPENSSL: IncidentImage['vulnerabilities'][number] = {
  ...OPENSSL_FINDING,
  status: 'ACTIVE',
  source: 'inspector',
  whyFirst: ['network', 'exploit', 'critical'],
  flagged: 'after-rollout',
};
const LOW = { ...OPENSSL, id: 'CVE-2024-9000', packageName: 'zlib', severity: 'LOW' as const, whyFirst: [], networkReachable: false, exploitAvailable: false };

describe('the image view', () => {
  it('names the vulnerability that matters first, its package, versions and why, in one sentence', () => {
    const view = imageViewOf(image({ vulnerabilities: [OPENSSL, LOW] }));
    for (const part of ['CVE-2024-1111', 'openssl 3.0.1', '3.0.7', 'network-reachable', 'exploit available']) expect(view.sentence).toContain(part);
    expect(view.vulnerabilities[0]!.whyFirst.map((reason) => reason.code)).toEqual(['network', 'exploit', 'critical']);
    expect(view.vulnerabilities[0]!.fixedVersion).toBe('3.0.7');
  });

  it('tells push, rollout to production and finding apart, and which came first', () => {
    const view = imageViewOf(image({ vulnerabilities: [OPENSSL] }));
    const timeline = view.timeline!;
    expect(timeline.indexOf('Pushed')).toBeLessThan(timeline.indexOf('rolled out to production'));
    expect(timeline).toContain('after the rollout');
    expect(timeline).toContain('14:02');
    expect(timeline).toContain('16:40');
    expect(imageViewOf(image({ vulnerabilities: [{ ...OPENSSL, flagged: 'before-rollout' }] })).timeline).toContain('before the rollout');
    expect(imageViewOf(image({ production: false, vulnerabilities: [OPENSSL] })).timeline).not.toContain('production');
  });

  it('names no vulnerability for an image with only low findings, and says it was not scanned when it was not', () => {
    const lowOnly = imageViewOf(image({ vulnerabilities: [LOW], moreBySeverity: { LOW: 3 } }));
    expect(lowOnly.sentence).toMatch(/^No critical or high vulnerability/);
    expect(lowOnly.sentence).toContain('4 low');
    expect(lowOnly.sentence).not.toContain('CVE-2024-9000');
    expect(imageViewOf(image()).sentence).toMatch(/^No critical or high vulnerability/);
    const unscanned = imageViewOf(image({ scanned: false }));
    expect(unscanned.scanned).toBe(false);
    expect(unscanned.sentence).toContain('not scanned');
  });

  it('keeps the production pods first and marks them', () => {
    const view = imageViewOf(
      image({
        runsElsewhere: [
          { cluster: 'prod-east', namespace: 'payments', pod: 'checkout-2', production: true },
          { cluster: 'dev-west', namespace: 'checkout', pod: 'checkout-3', production: false },
        ],
      }),
    );
    expect(view.runsElsewhere.map((entry) => [entry.pod, entry.production])).toEqual([
      ['prod-east/payments/checkout-2', true],
      ['dev-west/checkout/checkout-3', false],
    ]);
  });

  it('labels the admission outcome and keeps its code', () => {
    const warned = imageViewOf(image({ admission: { outcome: 'warned', details: ['Pod Security audit: would violate PodSecurity "restricted:latest"'] } }));
    expect(warned.admission.code).toBe('warned');
    expect(warned.admission.sentence).toContain('restricted:latest');
    expect(imageViewOf(image({ admission: { outcome: 'passed', details: [] } })).admission.code).toBe('passed');
  });

  it('makes what a registry or an attacker named printable', () => {
    const view = imageViewOf(image({ vulnerabilities: [{ ...OPENSSL, packageName: 'open\u001b[31mssl\u202e' }] }));
    expect(view.vulnerabilities[0]!.packageName).toBe('openssl');
    expect(view.sentence).not.toMatch(/[\u001b\u202e]/);
  });
});
