import { RecordRejected, rejectTooDeep } from './rejection.ts';
import { isSafeKey } from './safe-keys.ts';

type Json = Record<string, unknown>;

/** A finding in the AWS Security Finding Format, as Security Hub stores and exports it. */
export function isSecurityHubFinding(value: Json): boolean {
  return typeof value.SchemaVersion === 'string' && typeof value.ProductArn === 'string';
}

/**
 * Rebuilds the GuardDuty finding a Security Hub (ASFF) finding was made from: GuardDuty flattens its
 * `service` block into ProductFields ("aws/guardduty/service/action/actionType") and describes the
 * cluster, instance, access key and containers as Resources. What ASFF drops (the pod's name and
 * namespace) stays unknown.
 */
export function guardDutyFindingFromSecurityHub(finding: Json): Json {
  rejectTooDeep('Security Hub finding', finding);
  if (!/\/aws\/guardduty$/.test(String(finding.ProductArn))) {
    const product = typeof finding.ProductName === 'string' ? finding.ProductName : String(finding.ProductArn);
    throw new RecordRejected(`Security Hub finding from ${product}: pivotguard reads only GuardDuty's findings`, 'unsupported-format');
  }
  const fields = stringFields(finding.ProductFields);
  const id = findingIdOf(finding.Id);
  const type = guardDutyTypeOf(finding.Types ?? (finding.FindingProviderFields as Json | undefined)?.Types);
  const severity = severityOf(finding);
  const missing = [!id && 'Id', !type && 'Types', severity === undefined && 'Severity', typeof finding.UpdatedAt !== 'string' && 'UpdatedAt'].filter(Boolean);
  if (missing.length > 0) {
    throw new RecordRejected(
      `Security Hub GuardDuty finding without ${missing.join(', ')}: the GuardDuty finding cannot be rebuilt; export it with aws guardduty get-findings`,
      'unsupported-format',
    );
  }
  const service = unflatten(fields, 'aws/guardduty/service/');
  service.eventFirstSeen ??= finding.FirstObservedAt;
  service.eventLastSeen ??= finding.LastObservedAt;
  if (finding.Sample === true) service.additionalInfo = { ...(service.additionalInfo as Json | undefined), sample: true };
  return {
    schemaVersion: '2.0',
    id,
    type,
    severity,
    accountId: finding.AwsAccountId,
    region: finding.Region ?? regionOf(finding.Id),
    createdAt: finding.CreatedAt,
    updatedAt: finding.UpdatedAt,
    title: finding.Title,
    description: finding.Description,
    resource: resourceOf(finding.Resources, unflatten(fields, 'aws/guardduty/resource/')),
    service: typedService(service),
  };
}

/** The finding's own id ends its ARN: arn:aws:guardduty:REGION:ACCOUNT:detector/DETECTOR/finding/ID. */
function findingIdOf(arn: unknown): string | undefined {
  if (typeof arn !== 'string' || arn.length === 0) return undefined;
  return /\/finding\/([^/]+)$/.exec(arn)?.[1] ?? arn;
}

function regionOf(arn: unknown): string | undefined {
  return typeof arn === 'string' ? arn.split(':')[3] : undefined;
}

/**
 * ASFF names a GuardDuty type with a taxonomy prefix and the first "/" turned into "-":
 * "TTPs/Initial Access/UnauthorizedAccess:EC2-SSHBruteForce" is UnauthorizedAccess:EC2/SSHBruteForce.
 */
function guardDutyTypeOf(types: unknown): string | undefined {
  if (!Array.isArray(types)) return undefined;
  for (const entry of types) {
    if (typeof entry !== 'string') continue;
    const segments = entry.split('/');
    const at = segments.findIndex((segment) => segment.includes(':'));
    if (at < 0) continue;
    const name = segments.slice(at).join('/');
    return name.includes('/') ? name : name.replace(/^(\w+:\w+)-/, '$1/');
  }
  return undefined;
}

/** GuardDuty's own 0–10 severity is Severity.Product (or its Original text); Normalized is 0–100. */
function severityOf(finding: Json): number | undefined {
  for (const severity of [finding.Severity, (finding.FindingProviderFields as Json | undefined)?.Severity] as (Json | undefined)[]) {
    if (typeof severity?.Product === 'number') return severity.Product;
    const original = Number(severity?.Original);
    if (typeof severity?.Original === 'string' && Number.isFinite(original) && original <= 10) return original;
  }
  const normalized = (finding.Severity as Json | undefined)?.Normalized;
  return typeof normalized === 'number' ? normalized / 10 : undefined;
}

function stringFields(value: unknown): Record<string, string> {
  if (!value || typeof value !== 'object') return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** "action/awsApiCallAction/api" → { action: { awsApiCallAction: { api } } }; "name.0_" is item 0 of a list. */
function unflatten(fields: Record<string, string>, prefix: string): Json {
  const root: Json = {};
  for (const [key, value] of Object.entries(fields)) {
    if (!key.startsWith(prefix)) continue;
    const path = key
      .slice(prefix.length)
      .split('/')
      .flatMap((segment) => {
        const item = /^(.+)\.(\d+)_$/.exec(segment);
        return item ? [item[1]!, Number(item[2])] : [segment];
      });
    if (!path.every(isSafeKey)) continue;
    let node: Json | unknown[] = root;
    path.forEach((step, index) => {
      const container = node as Record<string | number, unknown>;
      if (index === path.length - 1) container[step] = value;
      else node = (container[step] ??= typeof path[index + 1] === 'number' ? [] : {}) as Json | unknown[];
    });
  }
  return root;
}

/** ProductFields are all text; the finding's numbers and flags are read back as such. */
function typedService(service: Json): Json {
  const count = Number(service.count);
  const info = service.additionalInfo as Json | undefined;
  const process = (service.runtimeDetails as { process?: Json } | undefined)?.process;
  if (process && process.pid !== undefined) process.pid = Number(process.pid);
  return {
    ...service,
    archived: service.archived === true || service.archived === 'true',
    count: Number.isInteger(count) && count > 0 ? count : 1,
    additionalInfo: info ? { ...info, sample: info.sample === true || info.sample === 'true' } : undefined,
  };
}

interface AsffResource {
  Type?: string;
  Id?: string;
  Tags?: Record<string, string>;
  Details?: {
    AwsEksCluster?: { Name?: string };
    AwsIamAccessKey?: { AccessKeyId?: string; PrincipalId?: string; PrincipalName?: string; UserName?: string };
    Container?: { Name?: string; ImageName?: string; ImageId?: string; Privileged?: boolean };
  };
}

/** GuardDuty's resource block from ASFF Resources: the EKS cluster, the instance and its tags, the access key, the containers. */
function resourceOf(resources: unknown, flattened: Json): Json {
  const resource: Json = { ...flattened };
  const containers: Json[] = [];
  for (const item of (Array.isArray(resources) ? resources : []) as AsffResource[]) {
    const details = item?.Details;
    if (item?.Type === 'AwsEksCluster') {
      resource.eksClusterDetails = { name: details?.AwsEksCluster?.Name ?? arnTail(item.Id, 'cluster/'), arn: item.Id };
    } else if (item?.Type === 'AwsEc2Instance') {
      const tags = Object.entries(item.Tags ?? {}).map(([key, value]) => ({ key, value }));
      resource.instanceDetails = { instanceId: arnTail(item.Id, 'instance/') ?? item.Id, tags };
    } else if (item?.Type === 'AwsIamAccessKey') {
      const key = details?.AwsIamAccessKey;
      resource.accessKeyDetails = { accessKeyId: key?.AccessKeyId, principalId: key?.PrincipalId, userName: key?.PrincipalName ?? key?.UserName };
    } else if (item?.Type === 'Container' && details?.Container) {
      containers.push(containerOf(details.Container));
    }
  }
  resource.resourceType ??= resource.eksClusterDetails
    ? 'EKSCluster'
    : resource.instanceDetails
      ? 'Instance'
      : resource.accessKeyDetails
        ? 'AccessKey'
        : undefined;
  if (containers.length > 0) {
    const kubernetes = (resource.kubernetesDetails ?? {}) as Json;
    const workload = (kubernetes.kubernetesWorkloadDetails ?? {}) as Json;
    resource.kubernetesDetails = { ...kubernetes, kubernetesWorkloadDetails: { ...workload, containers } };
  }
  return resource;
}

function containerOf(container: NonNullable<NonNullable<AsffResource['Details']>['Container']>): Json {
  const digest = container.ImageId?.startsWith('sha256:') ? container.ImageId : undefined;
  return {
    name: container.Name,
    image: digest && container.ImageName && !container.ImageName.includes('@') ? `${container.ImageName}@${digest}` : container.ImageName,
    securityContext: container.Privileged === undefined ? undefined : { privileged: container.Privileged },
  };
}

function arnTail(arn: string | undefined, marker: string): string | undefined {
  const at = arn?.lastIndexOf(marker) ?? -1;
  return arn && at >= 0 ? arn.slice(at + marker.length) : undefined;
}
