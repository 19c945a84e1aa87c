import { describe, expect, it } from 'vitest';
import type { Incident } from '#core/model/incident';
import { couldLoad } from '#core/correlate/image';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { memoryStore } from '../fixtures/store.ts';
import {
  CLOSED,
  DIGEST,
  OLD_DIGEST,
  OPENSSL,
  PUSHED_AT,
  PYTHON,
  ROLLED_OUT_AT,
  SUDO,
  ZLIB,
  imageFacts,
  lowFindings,
  vulnerableImageRecords,
} from '../fixtures/scenarios/vulnerable-image.ts';

async function replay(options: { facts?: ReturnType<typeof imageFacts>; records?: Record<string, unknown>[]; config?: unknown } = {}): Promise<Incident[]> {
  const store = memoryStore();
  store.applyFactsNow(options.facts ?? []);
  return incidentsOf(options.records ?? vulnerableImageRecords(), options.config ?? {}, store);
}

async function imageOf(options: Parameters<typeof replay>[0] = {}) {
  const incidents = await replay(options);
  expect(incidents).toHaveLength(1);
  return incidents[0]!.image!;
}

const ALL = [ZLIB, SUDO, CLOSED, PYTHON, OPENSSL, ...lowFindings(12)];

describe('the image in the incident', () => {
  it('ranks what this attack could use first: a network-reachable critical with an exploit, then the other critical and high ones, before a network-reachable medium', async () => {
    const image = await imageOf({ facts: imageFacts(DIGEST, ALL) });
    expect(image.digest).toBe(DIGEST);
    expect(image.vulnerabilities.map((vulnerability) => vulnerability.id).slice(0, 4)).toEqual([OPENSSL.id, SUDO.id, PYTHON.id, ZLIB.id]);
    expect(image.vulnerabilities[0]).toMatchObject({ packageName: 'openssl', installedVersion: '3.0.1', fixedVersion: '3.0.7', inspectorScore: 9.1 });
    expect(image.vulnerabilities[0]!.whyFirst).toEqual(['network', 'exploit', 'critical']);
    expect(image.vulnerabilities[1]!.whyFirst).toEqual(['critical']);
  });

  it('marks the package the misbehaving process could load, and prefers it among equals', async () => {
    const twin = { ...PYTHON, id: 'CVE-2023-0002', packageName: 'libxml2', inspectorScore: 7.8 };
    const image = await imageOf({ facts: imageFacts(DIGEST, [twin, PYTHON]) });
    expect(image.vulnerabilities.map((vulnerability) => [vulnerability.packageName, vulnerability.whyFirst])).toEqual([
      ['python3.11', ['high', 'process-package']],
      ['libxml2', ['high']],
    ]);
  });

  it('leaves out findings Inspector closed and counts what is not listed by severity', async () => {
    const image = await imageOf({ facts: imageFacts(DIGEST, ALL) });
    expect(image.vulnerabilities.map((vulnerability) => vulnerability.id)).not.toContain(CLOSED.id);
    expect(image.vulnerabilities).toHaveLength(10);
    expect(image.moreBySeverity).toEqual({ LOW: 6 });
  });

  it('tells when the image was pushed, rolled out, and whether each finding was known before the rollout', async () => {
    const image = await imageOf({ facts: imageFacts(DIGEST, [OPENSSL, PYTHON]) });
    expect(image).toMatchObject({ repository: 'checkout', pushedAt: PUSHED_AT, rolledOutAt: ROLLED_OUT_AT, production: true, scanned: true });
    const flagged = Object.fromEntries(image.vulnerabilities.map((vulnerability) => [vulnerability.packageName, vulnerability.flagged]));
    expect(flagged).toEqual({ openssl: 'after-rollout', 'python3.11': 'before-rollout' });
  });

  it('names every other pod running the digest, production first, and not the pods of an earlier digest', async () => {
    const image = await imageOf({ facts: imageFacts(DIGEST, [OPENSSL]) });
    expect(image.runsElsewhere).toEqual([
      { cluster: 'prod-east', namespace: 'payments', pod: 'checkout-7d9f8b6c5-m8z2p', production: true },
      { cluster: 'dev-west', namespace: 'checkout', pod: 'checkout-6b7c8d9e0-z9y8x', production: false },
    ]);
  });

  it('calls a namespace configured critical production in a cluster not named so', async () => {
    const image = await imageOf({ facts: imageFacts(DIGEST, [OPENSSL]), config: { namespaces: { checkout: 'high' } } });
    expect(image.runsElsewhere.find((pod) => pod.cluster === 'dev-west')?.production).toBe(true);
  });

  it('finds the workload’s other digests with the same vulnerable package version', async () => {
    const old = imageFacts(OLD_DIGEST, [OPENSSL, { ...PYTHON, installedVersion: '3.11.9' }]);
    const image = await imageOf({ facts: [...imageFacts(DIGEST, [OPENSSL, PYTHON]), ...old] });
    expect(image.samePackageDigests).toEqual([{ digest: OLD_DIGEST, repository: 'checkout', packages: ['openssl 3.0.1'] }]);
  });

  it('tells an image never scanned from one scanned clean', async () => {
    const unscanned = await imageOf();
    expect(unscanned).toMatchObject({ digest: DIGEST, scanned: false, vulnerabilities: [], moreBySeverity: {} });
    const clean = await imageOf({ facts: imageFacts(DIGEST, []) });
    expect(clean).toMatchObject({ scanned: true, vulnerabilities: [] });
  });

  it('opens no incident for a vulnerable image without suspicious behaviour', async () => {
    expect(await replay({ facts: imageFacts(DIGEST, ALL), records: vulnerableImageRecords({ attacked: false }) })).toEqual([]);
  });

  it('keeps the objectives to what the behaviour shows', async () => {
    const [withImage] = await replay({ facts: imageFacts(DIGEST, ALL) });
    const [without] = await replay();
    expect(withImage!.objectives).toEqual(without!.objectives);
    expect(withImage!.severity).toBe(without!.severity);
  });

  it('reads the rollout’s admission from the pod create', async () => {
    const image = await imageOf({
      records: vulnerableImageRecords({
        annotations: {
          'pod-security.kubernetes.io/enforce-policy': 'baseline:latest',
          'pod-security.kubernetes.io/audit-violations':
            'would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)',
        },
      }),
    });
    expect(image.admission.outcome).toBe('warned');
    expect(image.admission.details[0]).toContain('allowPrivilegeEscalation');
    expect((await imageOf()).admission.outcome).toBe('not-checked');
  });
});

describe('couldLoad', () => {
  it('matches a package named in the process path', () => {
    expect(couldLoad('/usr/sbin/nginx', { packageName: 'nginx' })).toBe(true);
    expect(couldLoad('/usr/lib/jvm/java-17-openjdk/bin/java', { packageName: 'openjdk' })).toBe(true);
  });

  it('matches a language runtime and the libraries its package manager installs', () => {
    expect(couldLoad('/usr/local/bin/python3.11', { packageName: 'libpython3.11' })).toBe(true);
    expect(couldLoad('/usr/bin/java', { packageName: 'log4j-core', packageManager: 'JAR' })).toBe(true);
    expect(couldLoad('/usr/local/bin/node', { packageName: 'requests', packageManager: 'PYTHONPKG' })).toBe(false);
  });

  it('does not match what the process has nothing to do with', () => {
    expect(couldLoad('/bin/sh', { packageName: 'openssl' })).toBe(false);
    expect(couldLoad('/usr/bin/python3', { packageName: 'perl' })).toBe(false);
  });
});
