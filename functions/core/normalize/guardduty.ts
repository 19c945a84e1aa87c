import { z } from 'zod';
import type { FindingContainer, GuardDutyFinding } from '#core/model/event';
import { eventTime } from './instant.ts';
import { RecordRejected, describeZodError, rejectTooDeep } from './rejection.ts';
import { attackSequenceOf } from './guardduty-sequence.ts';
import { asObject } from '#core/model/json';

// Built on first use: findings are rare, and a Lambda's import stays shorter without it.
let findingSchema: ReturnType<typeof buildFindingSchema> | undefined;

function buildFindingSchema() {
  const remoteIp = z.object({ ipAddressV4: z.string().optional(), ipAddressV6: z.string().optional() }).nullish();
  return z.object({
    id: z.string().min(1),
    type: z.string().min(1),
    title: z.string().optional(),
    description: z.string().optional(),
    severity: z.number().min(0).max(10),
    accountId: z.string(),
    region: z.string(),
    createdAt: z.string().optional(),
    updatedAt: z.string(),
    resource: z
      .object({
        resourceType: z.string().optional(),
        eksClusterDetails: z.object({ name: z.string().optional() }).nullish(),
        kubernetesDetails: z
          .object({
            kubernetesUserDetails: z.object({ username: z.string().optional() }).nullish(),
            kubernetesWorkloadDetails: z
              .object({
                name: z.string().optional(),
                type: z.string().optional(),
                uid: z.string().optional(),
                namespace: z.string().optional(),
                hostNetwork: z.boolean().optional(),
                containers: z
                  .array(
                    z.object({
                      name: z.string().optional(),
                      image: z.string().optional(),
                      imagePrefix: z.string().optional(),
                      securityContext: z.object({ privileged: z.boolean().optional() }).nullish(),
                    }),
                  )
                  .nullish(),
              })
              .nullish(),
          })
          .nullish(),
        instanceDetails: z.object({ instanceId: z.string().optional() }).nullish(),
        accessKeyDetails: z
          .object({
            accessKeyId: z.string().optional(),
            principalId: z.string().optional(),
            userName: z.string().optional(),
          })
          .nullish(),
      })
      .nullish(),
    service: z.object({
      archived: z.boolean().optional(),
      count: z.number().int().optional(),
      eventFirstSeen: z.string().optional(),
      eventLastSeen: z.string().optional(),
      additionalInfo: z.unknown().optional(),
      action: z
        .object({
          actionType: z.string().optional(),
          kubernetesApiCallAction: z.object({ verb: z.string().optional(), requestUri: z.string().optional(), remoteIpDetails: remoteIp }).nullish(),
          awsApiCallAction: z.object({ api: z.string().optional(), remoteIpDetails: remoteIp }).nullish(),
          networkConnectionAction: z.object({ remoteIpDetails: remoteIp }).nullish(),
        })
        .nullish(),
      runtimeDetails: z
        .object({
          process: z
            .object({
              name: z.string().optional(),
              executablePath: z.string().optional(),
              pid: z.number().optional(),
            })
            .nullish(),
        })
        .nullish(),
    }),
  });
}

/** Bare findings (EventBridge detail or S3 export) are camelCase; `get-findings` output is PascalCase. */
export function isGuardDutyFinding(value: Record<string, unknown>): boolean {
  const camel = 'type' in value && 'severity' in value && ('schemaVersion' in value || 'service' in value);
  const pascal = 'Type' in value && 'Severity' in value && ('SchemaVersion' in value || 'Service' in value);
  return camel || pascal;
}

/** `now` (epoch ms) bounds how far ahead of the clock the finding's times may be. */
export function normalizeGuardDutyFinding(value: Record<string, unknown>, now: number = Date.now()): GuardDutyFinding {
  rejectTooDeep('GuardDuty finding', value);
  const camel = 'Type' in value ? (camelCaseKeys(value) as Record<string, unknown>) : value;
  const parsed = (findingSchema ??= buildFindingSchema()).safeParse(camel);
  if (!parsed.success) throw new RecordRejected(describeZodError('GuardDuty finding', parsed.error), 'invalid-field');
  const finding = parsed.data;
  const instant = (field: string, text: string) => eventTime(`GuardDuty finding ${field}`, text, now);
  const updatedAt = instant('updatedAt', finding.updatedAt);
  const firstSeen = finding.service.eventFirstSeen ? instant('service.eventFirstSeen', finding.service.eventFirstSeen) : updatedAt;
  const lastSeen = finding.service.eventLastSeen ? instant('service.eventLastSeen', finding.service.eventLastSeen) : updatedAt;
  const resource = finding.resource;
  const workload = resource?.kubernetesDetails?.kubernetesWorkloadDetails;
  const action = finding.service.action;
  const process = finding.service.runtimeDetails?.process;
  const ip = action?.kubernetesApiCallAction?.remoteIpDetails ?? action?.awsApiCallAction?.remoteIpDetails ?? action?.networkConnectionAction?.remoteIpDetails;
  return {
    source: 'guardduty',
    eventId: finding.id,
    time: firstSeen,
    updatedAt,
    raw: value,
    type: finding.type,
    title: finding.title ?? finding.type,
    description: finding.description ?? '',
    severity: finding.severity,
    accountId: finding.accountId,
    region: finding.region,
    count: finding.service.count ?? 1,
    archived: finding.service.archived ?? false,
    sample: isSample(finding.service.additionalInfo),
    firstSeen,
    lastSeen,
    resourceType: resource?.resourceType,
    cluster: resource?.eksClusterDetails?.name,
    namespace: workload?.namespace,
    workloadName: workload?.name,
    workloadType: workload?.type,
    workloadUid: workload?.uid,
    hostNetwork: workload?.hostNetwork,
    containers: (workload?.containers ?? []).map(toContainer),
    kubernetesUser: resource?.kubernetesDetails?.kubernetesUserDetails?.username,
    instanceId: resource?.instanceDetails?.instanceId,
    accessKeyId: resource?.accessKeyDetails?.accessKeyId,
    principalId: resource?.accessKeyDetails?.principalId,
    iamUserName: resource?.accessKeyDetails?.userName,
    actionType: action?.actionType,
    apiCall: action?.awsApiCallAction?.api ?? action?.kubernetesApiCallAction?.verb,
    remoteIp: ip?.ipAddressV4 ?? ip?.ipAddressV6,
    process: process ? { name: process.name, executablePath: process.executablePath, pid: process.pid } : undefined,
    // Read outside the schema on purpose: a malformed sequence loses its own parts, never the finding.
    sequence: attackSequenceOf(asObject(asObject(camel.service)?.detection)?.sequence, resource?.eksClusterDetails?.name),
  };
}

function toContainer(container: { name?: string; image?: string; securityContext?: { privileged?: boolean } | null }): FindingContainer {
  const image = container.image;
  const at = image?.indexOf('@sha256:') ?? -1;
  return {
    name: container.name,
    image: image && at >= 0 ? image.slice(0, at) : image,
    imageDigest: image && at >= 0 ? image.slice(at + 1) : undefined,
    privileged: container.securityContext?.privileged,
  };
}

/** get-findings prints additionalInfo as {Value: "<json>", Type}; exports inline it. */
function isSample(additionalInfo: unknown): boolean {
  if (!additionalInfo || typeof additionalInfo !== 'object') return false;
  const info = additionalInfo as Record<string, unknown>;
  if (info.sample === true) return true;
  if (typeof info.value === 'string') {
    try {
      return (JSON.parse(info.value) as Record<string, unknown>)?.sample === true;
    } catch {
      return false;
    }
  }
  return false;
}

/** `get-findings` keys as the export spells them. Recursion is bounded: the finding's depth was checked first. */
function camelCaseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(camelCaseKeys);
  if (!value || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key.charAt(0).toLowerCase() + key.slice(1)] = camelCaseKeys(inner);
  }
  return out;
}
