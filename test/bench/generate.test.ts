import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateBusyCluster, type GenerateOptions } from '../../bench/generate.ts';

// One 200k-record pass (about two simulated days) feeds most assertions; each line is
// parsed, checked and reduced to counters, never kept.

// biome-ignore lint/suspicious/noExplicitAny: the generated JSON is read by deep paths that each assertion checks
type Json = Record<string, any>;
type Shape = 'audit' | 'cloudtrail' | 'guardduty';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const AUDIT_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const SECONDS_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const ANY_Z_TIME = /"(\d{4}-\d{2}-\d{2}T[^"]*Z)"/g;
const STRICT_ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const NAT_IPS = new Set(['203.0.113.10', '203.0.113.11']);
// The platform's AWS principals that work from outside the cluster, each from its own address only.
const OUTSIDE_PRINCIPALS: Record<string, string> = { 'github-actions-ci': '192.0.2.44', 'terraform-apply': '192.0.2.44', ProwlerScan: '192.0.2.80' };
const LEVELS = new Set(['Metadata', 'Request', 'RequestResponse']);
const VERBS = new Set(['get', 'list', 'watch', 'create', 'update', 'patch', 'delete']);
const HOUR_MS = 3_600_000;

function lines(options: GenerateOptions): string[] {
  return [...generateBusyCluster(options)];
}

function digest(all: string[]): string {
  const hash = createHash('sha256');
  for (const line of all) hash.update(line).update('\n');
  return hash.digest('hex');
}

/** Plain checks: vitest's expect is too slow to call millions of times. */
function check(condition: boolean, what: string, record: Json): void {
  if (!condition) throw new Error(`${what}: ${JSON.stringify(record).slice(0, 300)}`);
}

/** Returns the shape and the record's own time in ms, or throws naming what is wrong. */
function classify(record: Json): { shape: Shape; timeMs: number } {
  if (record.kind === 'Event') {
    check(record.apiVersion === 'audit.k8s.io/v1', 'audit apiVersion', record);
    check(LEVELS.has(record.level), 'audit level', record);
    check(UUID.test(record.auditID), 'audit auditID', record);
    check(record.stage === 'ResponseComplete', 'audit stage', record);
    check(typeof record.requestURI === 'string' && record.requestURI.startsWith('/'), 'audit requestURI', record);
    check(VERBS.has(record.verb), 'audit verb', record);
    check(typeof record.user?.username === 'string' && Array.isArray(record.user.groups), 'audit user', record);
    check(record.sourceIPs?.length === 1 && IPV4.test(record.sourceIPs[0]), 'audit sourceIPs', record);
    check(typeof record.userAgent === 'string', 'audit userAgent', record);
    check(typeof record.objectRef?.resource === 'string', 'audit objectRef.resource', record);
    check(typeof record.objectRef.apiVersion === 'string', 'audit objectRef.apiVersion', record);
    check(typeof record.responseStatus?.metadata === 'object' && Number.isInteger(record.responseStatus.code), 'audit responseStatus', record);
    check(AUDIT_TIME.test(record.requestReceivedTimestamp), 'audit requestReceivedTimestamp', record);
    check(AUDIT_TIME.test(record.stageTimestamp), 'audit stageTimestamp', record);
    check(record.stageTimestamp >= record.requestReceivedTimestamp, 'audit stage before receipt', record);
    check(record.annotations?.['authorization.k8s.io/decision'] === 'allow', 'audit decision', record);
    check(typeof record.annotations['authorization.k8s.io/reason'] === 'string', 'audit reason', record);
    return { shape: 'audit', timeMs: Date.parse(record.requestReceivedTimestamp) };
  }
  if (record['detail-type'] === 'GuardDuty Finding') {
    check(record.source === 'aws.guardduty', 'finding source', record);
    check(record.detail?.type === 'Recon:EC2/PortProbeUnprotectedPort', 'finding type', record);
    check(record.detail.severity === 2, 'finding severity', record);
    check(record.detail.resource?.resourceType === 'Instance', 'finding resource', record);
    check(/^i-[0-9a-f]{17}$/.test(record.detail.resource.instanceDetails?.instanceId), 'finding instance', record);
    return { shape: 'guardduty', timeMs: Date.parse(record.detail.updatedAt) };
  }
  check(record.eventVersion === '1.08' || record.eventVersion === '1.09', 'CloudTrail eventVersion', record);
  check(typeof record.userIdentity?.type === 'string', 'CloudTrail userIdentity', record);
  check(SECONDS_TIME.test(record.eventTime), 'CloudTrail eventTime', record);
  check(/^[a-z0-9]+\.amazonaws\.com$/.test(record.eventSource), 'CloudTrail eventSource', record);
  check(typeof record.eventName === 'string', 'CloudTrail eventName', record);
  check(record.awsRegion === 'us-east-1', 'CloudTrail awsRegion', record);
  check(typeof record.sourceIPAddress === 'string', 'CloudTrail sourceIPAddress', record);
  check(typeof record.userAgent === 'string', 'CloudTrail userAgent', record);
  check('requestParameters' in record && 'responseElements' in record, 'CloudTrail parameters', record);
  check(UUID.test(record.requestID) && UUID.test(record.eventID), 'CloudTrail ids', record);
  check(typeof record.readOnly === 'boolean', 'CloudTrail readOnly', record);
  check(record.eventType === 'AwsApiCall' && record.managementEvent === true, 'CloudTrail eventType', record);
  check(record.recipientAccountId === '111122223333', 'CloudTrail recipientAccountId', record);
  check(record.eventCategory === 'Management', 'CloudTrail eventCategory', record);
  return { shape: 'cloudtrail', timeMs: Date.parse(record.eventTime) };
}

interface Stats {
  records: number;
  shapes: Record<Shape, number>;
  shapesFirst50k: Record<Shape, number>;
  firstMs: number;
  lastMs: number;
  timeRegressions: number;
  badZTimes: string[];
  forbiddenHits: string[];
  execOutsideDev: string[];
  developerOutside: string[];
  badSourceIps: string[];
  keysUsedBeforeIssued: string[];
  podNames: Set<string>;
  podsCreated: number;
  maxLivePodDelta: number;
  maxKeysPerHour: number;
  maxIssuedPerHour: number;
  distinctKeys: number;
  nodes: Set<string>;
  /** What the platform's own tools did, by tool. */
  platform: Record<string, number>;
}

const FORBIDDEN = ['"privileged":true', '"hostNetwork":true', '"hostPID":true', '"hostIPC":true', '"hostPath"'];

function collect(options: GenerateOptions): Stats {
  const stats: Stats = {
    records: 0,
    shapes: { audit: 0, cloudtrail: 0, guardduty: 0 },
    shapesFirst50k: { audit: 0, cloudtrail: 0, guardduty: 0 },
    firstMs: Number.NaN,
    lastMs: Number.NaN,
    timeRegressions: 0,
    badZTimes: [],
    forbiddenHits: [],
    execOutsideDev: [],
    developerOutside: [],
    badSourceIps: [],
    keysUsedBeforeIssued: [],
    podNames: new Set(),
    podsCreated: 0,
    maxLivePodDelta: 0,
    maxKeysPerHour: 0,
    maxIssuedPerHour: 0,
    distinctKeys: 0,
    nodes: new Set(),
    platform: {},
  };
  const issuedKeys = new Set<string>();
  const allKeys = new Set<string>();
  let hour = -1;
  let keysThisHour = new Set<string>();
  let issuedThisHour = 0;
  let livePodDelta = 0;
  let previousSecond = -Infinity;

  for (const line of generateBusyCluster(options)) {
    const record = JSON.parse(line) as Json;
    const { shape, timeMs } = classify(record);
    stats.records++;
    stats.shapes[shape]++;
    if (stats.records <= 50_000) stats.shapesFirst50k[shape]++;

    // Each source keeps its own precision (CloudTrail: seconds), so order is checked per second.
    check(Number.isFinite(timeMs), 'record time', record);
    const second = Math.floor(timeMs / 1000);
    if (second < previousSecond) stats.timeRegressions++;
    previousSecond = second;
    if (Number.isNaN(stats.firstMs)) stats.firstMs = timeMs;
    stats.lastMs = timeMs;

    for (const match of line.matchAll(ANY_Z_TIME)) {
      const text = match[1] as string;
      if (!STRICT_ISO.test(text) || Number.isNaN(Date.parse(text))) stats.badZTimes.push(text);
    }
    for (const needle of FORBIDDEN) if (line.includes(needle)) stats.forbiddenHits.push(needle);

    const hourIndex = Math.floor(timeMs / HOUR_MS);
    if (hourIndex !== hour) {
      hour = hourIndex;
      keysThisHour = new Set();
      issuedThisHour = 0;
    }

    if (shape === 'audit') {
      const ref = record.objectRef as Json;
      const username = record.user.username as string;
      if (username.startsWith('system:node:')) stats.nodes.add(username);
      const tool = platformToolOf(record);
      if (tool) stats.platform[tool] = (stats.platform[tool] ?? 0) + 1;
      if (ref.subresource === 'exec' && ref.namespace !== 'dev') stats.execOutsideDev.push(line.slice(0, 200));
      if (username.startsWith('dev-') && !['dev', 'staging'].includes(ref.namespace)) {
        stats.developerOutside.push(`${username} ${record.verb} ${ref.namespace}`);
      }
      if (ref.resource === 'pods' && ref.name) stats.podNames.add(`${ref.namespace}/${ref.name}`);
      if (ref.resource === 'pods' && record.verb === 'create' && !ref.subresource) {
        stats.podsCreated++;
        stats.podNames.add(`${ref.namespace}/${record.responseObject.metadata.name}`);
        livePodDelta++;
      }
      // The kubelet's grace-0 delete is the pod's last appearance.
      if (ref.resource === 'pods' && record.verb === 'delete' && username.startsWith('system:node:')) livePodDelta--;
      stats.maxLivePodDelta = Math.max(stats.maxLivePodDelta, livePodDelta);
    } else if (shape === 'cloudtrail') {
      const ip = record.sourceIPAddress as string;
      const viaEndpoint = typeof record.vpcEndpointId === 'string' && /^10\.0\.\d+\.\d+$/.test(ip);
      const role = record.userIdentity.sessionContext?.sessionIssuer?.userName ?? record.requestParameters?.roleArn?.split('/').pop();
      const platformTool = role !== undefined && OUTSIDE_PRINCIPALS[role] === ip;
      if (role === 'ProwlerScan' && record.eventName !== 'AssumeRole') stats.platform['prowler read'] = (stats.platform['prowler read'] ?? 0) + 1;
      if (role === 'terraform-apply' && record.readOnly === false) stats.platform['terraform IAM write'] = (stats.platform['terraform IAM write'] ?? 0) + 1;
      if (!NAT_IPS.has(ip) && !viaEndpoint && !platformTool) stats.badSourceIps.push(`${record.eventName} ${ip}`);
      if (record.eventName === 'AssumeRoleWithWebIdentity') {
        const key = record.responseElements.credentials.accessKeyId as string;
        issuedKeys.add(key);
        issuedThisHour++;
        keysThisHour.add(key);
        allKeys.add(key);
      }
      const used = record.userIdentity.accessKeyId as string | undefined;
      if (used) {
        keysThisHour.add(used);
        allKeys.add(used);
        const webIdentity = record.userIdentity.sessionContext?.webIdFederationData?.federatedProvider;
        if (webIdentity && !issuedKeys.has(used)) stats.keysUsedBeforeIssued.push(used);
      }
      stats.maxKeysPerHour = Math.max(stats.maxKeysPerHour, keysThisHour.size);
      stats.maxIssuedPerHour = Math.max(stats.maxIssuedPerHour, issuedThisHour);
    }
  }
  stats.distinctKeys = allKeys.size;
  return stats;
}

/** Which platform tool sent an audit event, by its identity and what it did. */
function platformToolOf(record: Json): string | undefined {
  const username = record.user.username as string;
  const resource = record.objectRef.resource as string;
  if (username === 'system:serviceaccount:kube-state-metrics:kube-state-metrics' && resource === 'secrets') return 'kube-state-metrics secrets';
  if (username === 'system:serviceaccount:cert-manager:cert-manager' && resource === 'secrets') return 'cert-manager secrets';
  if (username === 'system:serviceaccount:argocd:argocd-application-controller') return `argocd ${resource}`;
  if (username.includes(':assumed-role/PlatformAdmin/') && record.userAgent.startsWith('Helm/') && record.objectRef.namespace !== 'dev') return 'helm';
  return undefined;
}

describe('generateBusyCluster', () => {
  it('is deterministic for a seed and differs for another seed', () => {
    const a = lines({ records: 3000, seed: 42 });
    const b = lines({ records: 3000, seed: 42 });
    const c = lines({ records: 3000, seed: 43 });
    expect(digest(a)).toBe(digest(b));
    expect(digest(c)).not.toBe(digest(a));
  });

  it('yields exactly the requested number of lines, without newlines', () => {
    for (const records of [0, 1, 7, 1234]) {
      const out = lines({ records, seed: 3 });
      expect(out).toHaveLength(records);
      for (const line of out) expect(line.includes('\n')).toBe(false);
    }
  });

  it('honours start and recordsPerHour', () => {
    const out = lines({ records: 1000, start: '2027-01-02T03:04:05Z', recordsPerHour: 100 });
    const first = JSON.parse(out[0] as string) as Json;
    const last = JSON.parse(out[out.length - 1] as string) as Json;
    const time = (record: Json): number => Date.parse(record.requestReceivedTimestamp ?? record.eventTime ?? record.detail.updatedAt);
    expect(time(first)).toBeGreaterThanOrEqual(Date.parse('2027-01-02T03:04:05Z'));
    expect(time(first)).toBeLessThan(Date.parse('2027-01-02T03:04:05Z') + 40_000);
    // 1000 records at 100 per hour span ten hours.
    expect(time(last) - time(first)).toBeGreaterThan(9.9 * HOUR_MS);
    expect(time(last) - time(first)).toBeLessThan(10.01 * HOUR_MS);
  });

  it('emits GuardDuty findings only when asked, about 1 in 20,000', () => {
    const withFindings: string[] = [];
    for (const line of generateBusyCluster({ records: 100_000, seed: 5, includeFindings: true })) {
      if (line.includes('"detail-type":"GuardDuty Finding"')) withFindings.push(line);
    }
    expect(withFindings.length).toBeGreaterThanOrEqual(1);
    expect(withFindings.length).toBeLessThanOrEqual(15);
    for (const line of withFindings) expect(classify(JSON.parse(line) as Json).shape).toBe('guardduty');
    const without = lines({ records: 20_000, seed: 5 });
    expect(without.some((line) => line.includes('GuardDuty'))).toBe(false);
  });

  it('rejects invalid options', () => {
    expect(() => lines({ records: -1 })).toThrow();
    expect(() => lines({ records: 10, start: 'yesterday' })).toThrow();
  });
});

describe('a busy benign day, over 200k records', () => {
  let stats: Stats;

  beforeAll(() => {
    stats = collect({ records: 200_000, seed: 7 });
  }, 60_000);

  it('parses every line as one of the three shapes', () => {
    expect(stats.records).toBe(200_000);
    expect(stats.shapes.audit + stats.shapes.cloudtrail + stats.shapes.guardduty).toBe(200_000);
    expect(stats.shapes.guardduty).toBe(0);
  });

  it('keeps the audit / CloudTrail mix near 80/20 over the first 50k', () => {
    const auditShare = stats.shapesFirst50k.audit / 50_000;
    expect(auditShare).toBeGreaterThan(0.77);
    expect(auditShare).toBeLessThan(0.83);
  });

  it('has valid, non-decreasing times spanning ~2 simulated days', () => {
    expect(stats.timeRegressions).toBe(0);
    expect(stats.badZTimes).toEqual([]);
    const hours = (stats.lastMs - stats.firstMs) / HOUR_MS;
    expect(hours).toBeGreaterThan(47);
    expect(hours).toBeLessThan(48.5);
  });

  it('never shows privileged, host-network or hostPath pods', () => {
    expect(stats.forbiddenHits).toEqual([]);
  });

  it('only execs into pods in dev, and developers stay in dev and staging', () => {
    expect(stats.execOutsideDev).toEqual([]);
    expect(stats.developerOutside).toEqual([]);
  });

  it('calls AWS only from the NAT gateways or VPC endpoints, with keys issued in-stream', () => {
    expect(stats.badSourceIps).toEqual([]);
    expect(stats.keysUsedBeforeIssued).toEqual([]);
  });

  it('keeps pod identities bounded by churn', () => {
    const days = (stats.lastMs - stats.firstMs) / (24 * HOUR_MS);
    // ~450 pods alive; each Deployment rolls every 4-12h, plus a node drain every 3-5h.
    expect(stats.podsCreated).toBeGreaterThan(500 * days);
    expect(stats.podNames.size).toBeLessThan(700 + 2000 * days);
    // Creates and final deletes balance: the live set does not grow.
    expect(stats.maxLivePodDelta).toBeLessThan(60);
  });

  it("runs the platform's tools at their daily rates", () => {
    const days = (stats.lastMs - stats.firstMs) / (24 * HOUR_MS);
    // Informers renew their cluster-wide watch every 5-10 minutes.
    expect(stats.platform['kube-state-metrics secrets']).toBeGreaterThan(150 * days);
    expect(stats.platform['cert-manager secrets']).toBeGreaterThan(150 * days);
    // ArgoCD syncs a commit to the RBAC repository every 8-16 hours; Helm runs once a working day.
    expect(stats.platform['argocd clusterroles']).toBeGreaterThanOrEqual(2);
    expect(stats.platform['argocd clusterrolebindings']).toBeGreaterThanOrEqual(2);
    expect(stats.platform.helm).toBeGreaterThanOrEqual(8);
    // One scan a night (36 reads), Terraform twice a day.
    expect(stats.platform['prowler read']).toBeGreaterThanOrEqual(36);
    expect(stats.platform['terraform IAM write']).toBeGreaterThanOrEqual(2);
  });

  it('keeps access keys and nodes bounded', () => {
    // ~225 IRSA pods refresh hourly plus ~60 node instance profiles.
    expect(stats.maxIssuedPerHour).toBeLessThan(400);
    expect(stats.maxKeysPerHour).toBeLessThan(700);
    expect(stats.nodes.size).toBeLessThan(60 + 20);
  });
});
