/** The vulnerable-image scenario replayed with Inspector's own EventBridge events and list-findings output, as a person would. */
import { describe, expect, it } from 'vitest';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { type InspectorFindingInput, inspectorFindingEvent, listFindingsOutput } from '../fixtures/scenarios/inspector.ts';
import { OPENSSL_INSPECTOR, SUDO_INSPECTOR, DIGEST, PUSHED_AT, ROLLED_OUT_AT, vulnerableImageRecords } from '../fixtures/scenarios/vulnerable-image.ts';

const OPENSSL = OPENSSL_INSPECTOR;
const SUDO = SUDO_INSPECTOR;
const LOW: InspectorFindingInput = {
  ...OPENSSL,
  vulnerabilityId: 'CVE-2024-9000',
  packageName: 'zlib',
  severity: 'LOW',
  score: 2,
  exploitAvailable: false,
  attackVector: 'L',
};

describe('replay: the vulnerable image behind the incident', () => {
  it('names the CVE, package, fixed version, the push, finding and rollout times, and the other pods with the digest', async () => {
    const incidents = await incidentsOf([...vulnerableImageRecords(), inspectorFindingEvent(SUDO), inspectorFindingEvent(OPENSSL)]);
    expect(incidents).toHaveLength(1);
    const image = incidents[0]!.image!;
    expect(image).toMatchObject({ digest: DIGEST, pushedAt: PUSHED_AT, rolledOutAt: ROLLED_OUT_AT, scanned: true });
    expect(
      image.vulnerabilities.map((vulnerability) => [vulnerability.id, vulnerability.packageName, vulnerability.installedVersion, vulnerability.fixedVersion]),
    ).toEqual([
      ['CVE-2024-1111', 'openssl', '3.0.1', '3.0.7'],
      ['CVE-2024-3333', 'sudo', '1.9.5', '1.9.15'],
    ]);
    expect(image.vulnerabilities[0]).toMatchObject({
      whyFirst: ['network', 'exploit', 'critical'],
      flagged: 'after-rollout',
      firstObservedAt: '2026-11-20T16:40:00.000Z',
    });
    expect(image.runsElsewhere.map((pod) => [pod.cluster, pod.pod, pod.production])).toEqual([
      ['prod-east', 'checkout-7d9f8b6c5-m8z2p', true],
      ['dev-west', 'checkout-6b7c8d9e0-z9y8x', false],
    ]);
  });

  it('reads list-findings output the same way, and an image with only low findings lists no critical or high one', async () => {
    const [incident] = await incidentsOf([...vulnerableImageRecords(), listFindingsOutput([LOW])]);
    expect(incident!.image).toMatchObject({ scanned: true });
    expect(incident!.image!.vulnerabilities.map((vulnerability) => vulnerability.severity)).toEqual(['LOW']);
  });

  it('opens no incident for the vulnerable image alone', async () => {
    expect(await incidentsOf([...vulnerableImageRecords({ attacked: false }), inspectorFindingEvent(OPENSSL)])).toEqual([]);
  });
});
