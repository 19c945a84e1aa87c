import { DescribeImageScanFindingsCommand, ECRClient, ScanNotFoundException } from '@aws-sdk/client-ecr';
import { AccessDeniedException, Inspector2Client, ListFindingsCommand, ThrottlingException, ValidationException } from '@aws-sdk/client-inspector2';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { forBatch } from '#adapters/enrichment/index';
import { AwsImageVulnerabilities, imageReference } from '#adapters/enrichment/image-vulnerabilities';
import { withImageScans } from '#adapters/image-scan-backfill';
import { nodeKey } from '#core/model/graph';
import type { Incident } from '#core/model/incident';
import { Pipeline } from '#core/pipeline';
import { defaultConfig } from '#core/config';
import type { IncidentChange } from '#core/store/store';
import { memoryStore } from '../fixtures/store.ts';
import { XZ_FINDING, ecrScanFindingsOutput, listFindingsOutput, type InspectorFindingInput } from '../fixtures/scenarios/inspector.ts';

// biome-ignore lint/suspicious/noExplicitAny: records in AWS's formats, changed at deep paths that each test names
type Loose = any;

const inspector = mockClient(Inspector2Client);
const ecr = mockClient(ECRClient);

const DIGEST = `sha256:${'ab12'.repeat(16)}`;
const NOW = Date.parse('2026-11-23T00:00:00Z');
const IMAGE = { digest: DIGEST, repository: 'shop/checkout', registryId: '111122223333' };
const XZ: InspectorFindingInput = { ...XZ_FINDING, digest: DIGEST };
const CURL: InspectorFindingInput = { ...XZ, vulnerabilityId: 'CVE-2023-38545', packageName: 'curl', severity: 'HIGH' };

/** Findings as the SDK hands them over: the CLI's shape with Date objects for its times. */
function sdkFindings(inputs: InspectorFindingInput[]): Loose[] {
  const dates = new Set(['firstObservedAt', 'lastObservedAt', 'updatedAt', 'pushedAt', 'lastKnownExploitAt']);
  const revive = (value: unknown, key = ''): unknown => {
    if (Array.isArray(value)) return value.map((item) => revive(item));
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([name, inner]) => [name, revive(inner, name)]));
    return dates.has(key) && typeof value === 'string' ? new Date(value) : value;
  };
  return revive(listFindingsOutput(inputs).findings) as Loose[];
}

function sdkScan(findings: Parameters<typeof ecrScanFindingsOutput>[0]['findings']): Loose {
  const output = ecrScanFindingsOutput({ digest: DIGEST, repository: 'shop/checkout', scannedAt: '2026-11-20T16:00:05Z', findings }) as Loose;
  output.imageScanFindings.imageScanCompletedAt = new Date(output.imageScanFindings.imageScanCompletedAt * 1000);
  output.imageScanFindings.vulnerabilitySourceUpdatedAt = new Date(output.imageScanFindings.vulnerabilitySourceUpdatedAt * 1000);
  return output;
}

const lookup = () => new AwsImageVulnerabilities(new Inspector2Client({ region: 'us-east-1' }), new ECRClient({ region: 'us-east-1' }), () => NOW);

beforeEach(() => {
  inspector.reset();
  ecr.reset();
});

describe('Inspector findings for a digest', () => {
  it('asks for package vulnerabilities of that digest and reads every page', async () => {
    inspector
      .on(ListFindingsCommand)
      .resolvesOnce({ findings: sdkFindings([XZ]), nextToken: 'page-2' })
      .resolvesOnce({ findings: sdkFindings([CURL]) });
    const scans = await lookup().scansOf(IMAGE);
    expect(scans.map((scan) => scan.vulnerabilities.map((vulnerability) => [vulnerability.id, vulnerability.packageName, vulnerability.source]))).toEqual([
      [['CVE-2024-3094', 'xz-utils', 'inspector']],
      [['CVE-2023-38545', 'curl', 'inspector']],
    ]);
    expect(scans[0]).toMatchObject({ digest: DIGEST, pushedAt: '2026-11-20T15:58:12.000Z', repository: 'shop/checkout' });
    const requests = inspector.commandCalls(ListFindingsCommand).map((call) => call.args[0].input);
    expect(requests).toHaveLength(2);
    expect(requests[0]?.filterCriteria).toEqual({
      ecrImageHash: [{ comparison: 'EQUALS', value: DIGEST }],
      findingType: [{ comparison: 'EQUALS', value: 'PACKAGE_VULNERABILITY' }],
    });
    expect(requests[1]?.nextToken).toBe('page-2');
    expect(ecr.commandCalls(DescribeImageScanFindingsCommand)).toHaveLength(0);
  });

  it('surfaces throttling that outlasted the SDK’s retries, without asking ECR instead', async () => {
    inspector.on(ListFindingsCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));
    await expect(lookup().scansOf(IMAGE)).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(ecr.commandCalls(DescribeImageScanFindingsCommand)).toHaveLength(0);
  });
});

describe('ECR basic scanning, where Inspector has nothing', () => {
  it.each([
    ['Inspector denies the role', new AccessDeniedException({ message: 'not authorized to perform inspector2:ListFindings', $metadata: {} })],
    ['Inspector is not enabled', new ValidationException({ message: 'Amazon Inspector is not enabled for this account', reason: 'OTHER', $metadata: {} })],
  ])('reads the image’s basic scan when %s', async (_, error) => {
    inspector.on(ListFindingsCommand).rejects(error);
    ecr
      .on(DescribeImageScanFindingsCommand)
      .resolves(sdkScan([{ vulnerabilityId: 'CVE-2023-4911', packageName: 'glibc', installedVersion: '2.36-9', severity: 'HIGH' }]));
    const [scan] = await lookup().scansOf(IMAGE);
    expect(scan?.vulnerabilities.map((vulnerability) => [vulnerability.id, vulnerability.source])).toEqual([['CVE-2023-4911', 'ecr-basic-scan']]);
    expect(ecr.commandCalls(DescribeImageScanFindingsCommand)[0]?.args[0].input).toMatchObject({
      repositoryName: 'shop/checkout',
      imageId: { imageDigest: DIGEST },
      registryId: '111122223333',
    });
  });

  it('joins the pages of a large basic scan', async () => {
    inspector.on(ListFindingsCommand).resolves({ findings: [] });
    const first = sdkScan([{ vulnerabilityId: 'CVE-2023-4911', packageName: 'glibc', installedVersion: '2.36-9', severity: 'HIGH' }]);
    const second = sdkScan([{ vulnerabilityId: 'CVE-2023-38545', packageName: 'curl', installedVersion: '7.88.1-10', severity: 'CRITICAL' }]);
    ecr
      .on(DescribeImageScanFindingsCommand)
      .resolvesOnce({ ...first, nextToken: 'more' })
      .resolvesOnce(second);
    const [scan] = await lookup().scansOf(IMAGE);
    expect(scan?.vulnerabilities.map((vulnerability) => vulnerability.packageName)).toEqual(['glibc', 'curl']);
  });

  it('says nothing about a digest Inspector does not know and ECR never scanned: not scanned is not clean', async () => {
    inspector.on(ListFindingsCommand).resolves({ findings: [] });
    ecr.on(DescribeImageScanFindingsCommand).rejects(new ScanNotFoundException({ message: 'Image scan does not exist', $metadata: {} }));
    expect(await lookup().scansOf(IMAGE)).toEqual([]);
  });

  it('reads a clean basic scan as scanned with no vulnerability', async () => {
    inspector.on(ListFindingsCommand).resolves({ findings: [] });
    ecr.on(DescribeImageScanFindingsCommand).resolves(sdkScan([]));
    expect(await lookup().scansOf(IMAGE)).toEqual([expect.objectContaining({ digest: DIGEST, scannedAt: '2026-11-20T16:00:05.000Z', vulnerabilities: [] })]);
  });

  it('does not ask ECR about an image it does not hold', async () => {
    inspector.on(ListFindingsCommand).resolves({ findings: [] });
    expect(await lookup().scansOf(imageReference(DIGEST, `docker.io/library/nginx@${DIGEST}`))).toEqual([]);
    expect(ecr.commandCalls(DescribeImageScanFindingsCommand)).toHaveLength(0);
  });
});

describe('one lookup per digest per batch', () => {
  it('answers a second lookup of the same digest without a call, failed lookups included', async () => {
    inspector.on(ListFindingsCommand).resolves({ findings: sdkFindings([XZ]) });
    const batch = forBatch({ imageVulnerabilities: lookup() }).imageVulnerabilities!;
    await batch.scansOf(IMAGE);
    await batch.scansOf(IMAGE);
    expect(inspector.commandCalls(ListFindingsCommand)).toHaveLength(1);

    inspector.reset();
    inspector.on(ListFindingsCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));
    const next = forBatch({ imageVulnerabilities: lookup() }).imageVulnerabilities!;
    await expect(next.scansOf(IMAGE)).rejects.toMatchObject({ name: 'ThrottlingException' });
    await expect(next.scansOf(IMAGE)).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(inspector.commandCalls(ListFindingsCommand)).toHaveLength(1);
  });
});

describe('image references', () => {
  it('reads the registry and repository of an ECR image, by tag or by digest', () => {
    expect(imageReference(DIGEST, '111122223333.dkr.ecr.us-east-1.amazonaws.com/shop/checkout:2.14.0')).toEqual(IMAGE);
    expect(imageReference(DIGEST, `111122223333.dkr.ecr.us-east-1.amazonaws.com/shop/checkout@${DIGEST}`)).toEqual(IMAGE);
    expect(imageReference(DIGEST, 'ghcr.io/shop/checkout:2.14.0')).toEqual({ digest: DIGEST });
    expect(imageReference(DIGEST, null)).toEqual({ digest: DIGEST });
  });
});

describe('the analyzer’s image scan step', () => {
  const silent = { warn: () => {}, error: () => {} } as unknown as Logger;
  const metrics = { addMetric: () => {} } as unknown as Metrics;
  const change = (digest: string) =>
    ({
      change: 'opened',
      incident: {
        id: `inc-${digest.slice(7, 11)}`,
        workload: { imageDigest: digest, image: `111122223333.dkr.ecr.us-east-1.amazonaws.com/shop/checkout@${digest}` },
      },
    }) as unknown as IncidentChange;

  it('looks up the digests the graph has no scan for, and puts what it finds on the image', async () => {
    inspector.on(ListFindingsCommand).resolves({ findings: sdkFindings([XZ]) });
    const store = memoryStore();
    const scanned = `sha256:${'cd34'.repeat(16)}`;
    store.applyFactsNow([{ key: nodeKey.image(scanned), time: NOW - 1000, eventId: 'earlier', attrs: { scannedAt: '2026-11-22T00:00:00.000Z' } }]);
    const pipeline = new Pipeline(store, defaultConfig);
    const changes = [change(DIGEST), change(scanned)];
    const result = await withImageScans(changes, { imageVulnerabilities: lookup() }, { pipeline, store, logger: silent, metrics });
    expect(result.map((entry) => (entry.incident as Incident).id)).toEqual(changes.map((entry) => entry.incident.id));
    expect(inspector.commandCalls(ListFindingsCommand).map((call) => call.args[0].input.filterCriteria?.ecrImageHash?.[0]?.value)).toEqual([DIGEST]);
    expect(store.get(nodeKey.image(DIGEST))?.attrs.scannedAt?.value).toBe('2026-11-20T15:59:30.000Z');
  });

  it('leaves the changes as they were when the lookup fails', async () => {
    inspector.on(ListFindingsCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));
    const store = memoryStore();
    const changes = [change(DIGEST)];
    const pipeline = new Pipeline(store, defaultConfig);
    expect(await withImageScans(changes, { imageVulnerabilities: lookup() }, { pipeline, store, logger: silent, metrics })).toEqual(changes);
    expect(store.get(nodeKey.image(DIGEST))).toBeUndefined();
  });
});
