import { describe, expect, it } from 'vitest';
import { emptyOutput, normalizeValue } from '#core/normalize/index';
import type { ImageScanEvent } from '#core/model/event';
import { detect } from '#core/detect/index';
import {
  XZ_DIGEST,
  XZ_FINDING,
  ecrScanFindingsOutput,
  inspectorFindingEvent,
  listFindingsOutput,
  type InspectorFindingInput,
} from '../fixtures/scenarios/inspector.ts';

// biome-ignore lint/suspicious/noExplicitAny: records in AWS's formats, changed at deep paths that each test names
type Loose = any;

const DIGEST = XZ_DIGEST;
const OTHER_DIGEST = `sha256:${'cd34'.repeat(16)}`;
const NOW = Date.parse('2026-11-23T00:00:00Z');

// Milliseconds in the first-observed time: Inspector's own time format keeps them.
const XZ: InspectorFindingInput = { ...XZ_FINDING, firstObservedAt: '2026-11-20T15:59:30.250Z' };

function normalize(value: unknown) {
  const out = emptyOutput();
  normalizeValue(value, 'line 1', { file: 'input.json', now: NOW }, out);
  return out;
}

function only(value: unknown): ImageScanEvent {
  const out = normalize(value);
  expect(out.rejected).toEqual([]);
  expect(out.events).toHaveLength(1);
  return out.events[0] as ImageScanEvent;
}

describe('Inspector2 Finding EventBridge events', () => {
  it('reads the image and its vulnerable package, with the event layout of times', () => {
    const event = only(inspectorFindingEvent(XZ));
    expect(event).toMatchObject({
      source: 'inspector',
      digest: DIGEST,
      repository: 'shop/checkout',
      registry: '111122223333',
      pushedAt: '2026-11-20T15:58:12.000Z',
      scannedAt: '2026-11-20T15:59:30.250Z',
      time: Date.parse('2026-11-20T15:59:30.250Z'),
    });
    expect(event.eventId).toMatch(/^arn:aws:inspector2:us-east-1:111122223333:finding\//);
    expect(event.vulnerabilities).toEqual([
      {
        id: 'CVE-2024-3094',
        packageName: 'xz-utils',
        installedVersion: '5.6.0',
        fixedVersion: '5.6.1+really5.4.5-1',
        severity: 'CRITICAL',
        inspectorScore: 10,
        exploitAvailable: true,
        networkReachable: true,
        firstObservedAt: '2026-11-20T15:59:30.250Z',
        status: 'ACTIVE',
        source: 'inspector',
        findingArn: event.eventId,
      },
    ]);
  });

  it('reads a local attack vector as not network-reachable, and NotAvailable as no fixed version', () => {
    const [vulnerability] = only(inspectorFindingEvent({ ...XZ, attackVector: 'L', fixedVersion: undefined, exploitAvailable: false })).vulnerabilities;
    expect(vulnerability).toMatchObject({ networkReachable: false, exploitAvailable: false });
    expect(vulnerability).not.toHaveProperty('fixedVersion');
  });

  it('reads the older event layout of times (Dec 3, 2021, 6:02:30 PM, in UTC)', () => {
    const event = inspectorFindingEvent(XZ);
    const detail = event.detail as Record<string, unknown>;
    Object.assign(detail, { firstObservedAt: 'Nov 20, 2026, 3:59:30 PM', lastObservedAt: 'Nov 20, 2026, 3:59:30 PM', updatedAt: 'Nov 20, 2026, 3:59:30 PM' });
    expect(only(event).vulnerabilities[0]?.firstObservedAt).toBe('2026-11-20T15:59:30.000Z');
  });

  it('dates a CLOSED finding at its update, so it replaces the ACTIVE one in the graph', () => {
    const closed = only(inspectorFindingEvent({ ...XZ, status: 'CLOSED', updatedAt: '2026-11-22T09:00:00Z' }));
    expect(closed.time).toBe(Date.parse('2026-11-22T09:00:00Z'));
    expect(closed.vulnerabilities[0]?.status).toBe('CLOSED');
    expect(closed.eventId).toBe(only(inspectorFindingEvent(XZ)).eventId);
  });

  it('raises no signal: a vulnerable image alone is posture', () => {
    expect(detect(only(inspectorFindingEvent(XZ)))).toEqual([]);
  });
});

describe('aws inspector2 list-findings output', () => {
  it('reads each finding with CLI v2 times', () => {
    const out = normalize(listFindingsOutput([XZ, { ...XZ, digest: OTHER_DIGEST, packageName: 'liblzma5' }]));
    expect(out.rejected).toEqual([]);
    expect(out.events.map((event) => (event as ImageScanEvent).digest)).toEqual([DIGEST, OTHER_DIGEST]);
    expect((out.events[0] as ImageScanEvent).vulnerabilities[0]?.firstObservedAt).toBe('2026-11-20T15:59:30.250Z');
  });

  it('joins an OS package release to its installed version', () => {
    const output = listFindingsOutput([XZ]);
    const pkg = ((output.findings as Record<string, Loose>[])[0]!.packageVulnerabilityDetails.vulnerablePackages as Record<string, unknown>[])[0]!;
    pkg.release = '1';
    expect(only(output).vulnerabilities[0]?.installedVersion).toBe('5.6.0-1');
  });

  it('sets aside, each on its own, findings on other resources or of other types', () => {
    const output = listFindingsOutput([XZ, XZ, XZ]);
    const [, ec2, network] = output.findings as Record<string, Loose>[];
    ec2!.resources = [{ type: 'AWS_EC2_INSTANCE', id: 'i-0abc', details: { awsEc2Instance: {} } }];
    network!.type = 'NETWORK_REACHABILITY';
    const out = normalize(output);
    expect(out.events).toHaveLength(1);
    expect(out.rejected.map((entry) => [entry.record, entry.code])).toEqual([
      ['line 1.findings[1]', 'unsupported-format'],
      ['line 1.findings[2]', 'unsupported-format'],
    ]);
    expect(out.rejected[0]?.reason).toContain('AWS_EC2_INSTANCE');
    expect(out.rejected[1]?.reason).toContain('NETWORK_REACHABILITY');
  });
});

describe('malformed Inspector findings', () => {
  function rejectionOf(change: (finding: Record<string, Loose>) => void) {
    const output = listFindingsOutput([XZ]);
    change((output.findings as Record<string, Loose>[])[0]!);
    const out = normalize(output);
    expect(out.events).toEqual([]);
    return out.rejected[0];
  }

  it('names the field: a digest that is not sha256 hex, a missing package, an unknown severity, a bad time', () => {
    expect(rejectionOf((finding) => (finding.resources[0].details.awsEcrContainerImage.imageHash = 'latest'))).toMatchObject({
      code: 'invalid-field',
      reason: expect.stringContaining('resources.0.details.awsEcrContainerImage.imageHash'),
    });
    expect(rejectionOf((finding) => (finding.packageVulnerabilityDetails.vulnerablePackages = []))).toMatchObject({
      code: 'invalid-field',
      reason: expect.stringContaining('packageVulnerabilityDetails.vulnerablePackages'),
    });
    expect(rejectionOf((finding) => (finding.severity = 'SEVERE'))).toMatchObject({ code: 'invalid-field', reason: expect.stringContaining('severity') });
    expect(rejectionOf((finding) => (finding.firstObservedAt = 'yesterday'))).toMatchObject({
      code: 'invalid-field',
      reason: expect.stringContaining('firstObservedAt'),
    });
  });

  it('refuses a package name or id that would forge another graph key', () => {
    expect(rejectionOf((finding) => (finding.packageVulnerabilityDetails.vulnerablePackages[0].name = 'openssl|CVE-1|x'))).toMatchObject({
      code: 'invalid-field',
      reason: expect.stringContaining('vulnerablePackages.0.name'),
    });
    expect(rejectionOf((finding) => (finding.packageVulnerabilityDetails.vulnerabilityId = 'CVE-1\nforged'))).toMatchObject({ code: 'invalid-field' });
  });

  it('refuses a finding dated far ahead of the clock', () => {
    expect(rejectionOf((finding) => (finding.updatedAt = '2027-06-01T00:00:00Z'))).toMatchObject({ code: 'time-out-of-range' });
  });
});

describe('ECR basic scanning', () => {
  const scan = {
    digest: DIGEST,
    repository: 'shop/checkout',
    scannedAt: '2026-11-20T16:00:05Z',
    findings: [
      { vulnerabilityId: 'CVE-2023-4911', packageName: 'glibc', installedVersion: '2.36-9', severity: 'HIGH' as const, attackVector: 'L' as const },
      { vulnerabilityId: 'CVE-2023-38545', packageName: 'curl', installedVersion: '7.88.1-10', severity: 'UNDEFINED' as const },
    ],
  };

  it('reads describe-image-scan-findings output: every finding, its package and the scan time', () => {
    const event = only(ecrScanFindingsOutput(scan));
    expect(event).toMatchObject({
      source: 'inspector',
      digest: DIGEST,
      repository: 'shop/checkout',
      registry: '111122223333',
      scannedAt: '2026-11-20T16:00:05.000Z',
    });
    expect(event.vulnerabilities).toEqual([
      {
        id: 'CVE-2023-4911',
        packageName: 'glibc',
        installedVersion: '2.36-9',
        severity: 'HIGH',
        networkReachable: false,
        firstObservedAt: '2026-11-20T16:00:05.000Z',
        status: 'ACTIVE',
        source: 'ecr-basic-scan',
      },
      expect.objectContaining({ id: 'CVE-2023-38545', severity: 'UNTRIAGED', networkReachable: true }),
    ]);
  });

  it('reads a clean scan as scanned with no vulnerability', () => {
    expect(only(ecrScanFindingsOutput({ ...scan, findings: [] }))).toMatchObject({ scannedAt: '2026-11-20T16:00:05.000Z', vulnerabilities: [] });
  });

  it('sets aside a scan without a result, a finding without its package, and enhanced-scanning output', () => {
    const running = { ...ecrScanFindingsOutput(scan), imageScanStatus: { status: 'IN_PROGRESS' } };
    expect(normalize(running).rejected[0]).toMatchObject({ code: 'unsupported-format', reason: expect.stringContaining('IN_PROGRESS') });

    const noPackage = ecrScanFindingsOutput(scan) as Record<string, Loose>;
    noPackage.imageScanFindings.findings[1].attributes = [];
    expect(normalize(noPackage).rejected[0]).toMatchObject({ code: 'invalid-field', reason: expect.stringContaining('findings.1') });

    const enhanced = ecrScanFindingsOutput({ ...scan, findings: [] }) as Record<string, Loose>;
    enhanced.imageScanFindings.enhancedFindings = [{ findingArn: 'arn:aws:inspector2:us-east-1:111122223333:finding/x' }];
    expect(normalize(enhanced).rejected[0]).toMatchObject({ code: 'unsupported-format', reason: expect.stringContaining('inspector2 list-findings') });
  });

  it('refuses the scan events that carry only counts, naming the export that has the findings', () => {
    const event = {
      version: '0',
      id: '85fc3613-e913-7fc4-a80c-a3753e4aa9ae',
      'detail-type': 'ECR Image Scan',
      source: 'aws.ecr',
      account: '111122223333',
      time: '2026-11-20T16:00:05Z',
      region: 'us-east-1',
      resources: ['arn:aws:ecr:us-east-1:111122223333:repository/shop/checkout'],
      detail: {
        'scan-status': 'COMPLETE',
        'repository-name': 'shop/checkout',
        'finding-severity-counts': { CRITICAL: 1, HIGH: 4 },
        'image-digest': DIGEST,
        'image-tags': ['2.14.0'],
      },
    };
    expect(normalize(event).rejected[0]).toMatchObject({
      code: 'unsupported-format',
      reason: expect.stringContaining(`describe-image-scan-findings --repository-name shop/checkout --image-id imageDigest=${DIGEST}`),
    });
  });
});
