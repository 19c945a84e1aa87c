import { parseRoleArn } from '#core/model/arn';
import type { Incident, PlannedAction } from '#core/model/incident';
import { severityRank } from '#core/model/signal';
import type { IncidentResponse, IncidentStatus } from './response.ts';

/**
 * One incident as an AWS Security Finding Format (ASFF) finding, for Security Hub's
 * BatchImportFindings. The Id is stable per incident, so every export of the incident updates
 * the same finding. Field names and limits are those of the Security Hub API reference
 * (AwsSecurityFinding); the SDK is the adapter's business, so the shape is declared here.
 */
export interface AsffFinding {
  SchemaVersion: typeof SCHEMA_VERSION;
  Id: string;
  ProductArn: string;
  ProductName: string;
  CompanyName: string;
  GeneratorId: string;
  AwsAccountId: string;
  Region: string;
  Types: string[];
  CreatedAt: string;
  UpdatedAt: string;
  FirstObservedAt: string;
  LastObservedAt: string;
  Severity: AsffSeverity;
  Confidence: number;
  Title: string;
  Description: string;
  SourceUrl?: string;
  Remediation: { Recommendation: { Text: string } };
  ProductFields: Record<string, string>;
  Resources: AsffResource[];
  Workflow: { Status: WorkflowStatus };
  RecordState: 'ACTIVE' | 'ARCHIVED';
  /** Where a finding provider updates severity, confidence and types: the top-level copies belong to the customer once they triage. */
  FindingProviderFields: { Severity: AsffSeverity; Confidence: number; Types: string[] };
}

export interface AsffSeverity {
  Label: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
  Original: string;
}

export interface AsffResource {
  Type: 'AwsEksCluster' | 'AwsIamRole' | 'Container' | 'AwsAccount';
  Id: string;
  Partition?: 'aws' | 'aws-cn' | 'aws-us-gov';
  Region?: string;
  Details?: {
    AwsEksCluster?: { Name: string; Arn: string };
    AwsIamRole?: { RoleName: string };
    Container?: { Name?: string; ImageName?: string; ImageId?: string };
  };
}

type WorkflowStatus = 'NEW' | 'NOTIFIED' | 'RESOLVED' | 'SUPPRESSED';

export interface FindingOptions {
  accountId: string;
  region: string;
  /** @default 'aws' */
  partition?: 'aws' | 'aws-cn' | 'aws-us-gov';
  /** @default the account's own default product: arn:PARTITION:securityhub:REGION:ACCOUNT:product/ACCOUNT/default */
  productArn?: string;
  /** When this version of the finding was written. @default the latest time the incident or its response records */
  updatedAt?: string;
  /** Where a person reads the incident, when there is such a page. */
  incidentUrl?: string;
}

const SCHEMA_VERSION = '2018-10-08';
export const ASFF_LIMITS = {
  title: 256,
  description: 1024,
  recommendation: 512,
  types: 50,
  resources: 32,
  productFieldValue: 2048,
} as const;

// Workflow is the customer's once the finding exists (BatchImportFindings cannot change it
// later): it only sets the first state. RecordState is the provider's and follows the incident.
const WORKFLOW: Record<IncidentStatus, WorkflowStatus> = {
  open: 'NEW',
  contained: 'NOTIFIED',
  resolved: 'RESOLVED',
  'false-positive': 'SUPPRESSED',
};

// ASFF's TTPs categories follow ATT&CK tactic names; the two outcome tactics map to Effects.
const TTP_CATEGORIES = new Set([
  'Initial Access',
  'Execution',
  'Persistence',
  'Privilege Escalation',
  'Defense Evasion',
  'Credential Access',
  'Discovery',
  'Lateral Movement',
  'Collection',
  'Command and Control',
]);
const FALLBACK_TYPE = 'Software and Configuration Checks/AWS Security Best Practices/Runtime Behavior Analysis';

export function incidentFinding(incident: Incident, response: IncidentResponse | undefined, options: FindingOptions): AsffFinding {
  const partition = options.partition ?? 'aws';
  const { accountId, region } = options;
  const status = response?.status ?? 'open';
  const severity: AsffSeverity = { Label: incident.severity.toUpperCase() as AsffSeverity['Label'], Original: incident.severity };
  const confidence = Math.min(100, Math.max(0, Math.round(incident.confidence * 100)));
  const types = findingTypes(incident);
  return {
    SchemaVersion: SCHEMA_VERSION,
    Id: `pivotguard/${incident.id}`,
    ProductArn: options.productArn ?? `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`,
    ProductName: 'pivotguard',
    CompanyName: 'pivotguard',
    GeneratorId: `pivotguard/${mainRule(incident)}`,
    AwsAccountId: accountId,
    Region: region,
    Types: types,
    CreatedAt: incident.firstSeen,
    UpdatedAt: options.updatedAt ?? latest([incident.lastSeen, response?.openedAt, ...(response?.history.map((change) => change.at) ?? [])]),
    FirstObservedAt: incident.firstSeen,
    LastObservedAt: incident.lastSeen,
    Severity: severity,
    Confidence: confidence,
    Title: clip(incident.title || `pivotguard incident ${incident.id}`, ASFF_LIMITS.title),
    Description: clip(incident.explanation || incident.title || `pivotguard incident ${incident.id}`, ASFF_LIMITS.description),
    ...(options.incidentUrl ? { SourceUrl: options.incidentUrl } : {}),
    Remediation: { Recommendation: { Text: clip(planText(incident.plan), ASFF_LIMITS.recommendation) } },
    ProductFields: productFields(incident, response, options.incidentUrl),
    Resources: resources(incident, { partition, accountId, region }),
    Workflow: { Status: WORKFLOW[status] },
    RecordState: status === 'resolved' || status === 'false-positive' ? 'ARCHIVED' : 'ACTIVE',
    FindingProviderFields: { Severity: severity, Confidence: confidence, Types: types },
  };
}

/** The rule of the most severe signal (the earliest among equals): what the incident is mainly about. */
function mainRule(incident: Incident): string {
  const main = [...incident.signals].sort((a, b) => severityRank[b.severity] - severityRank[a.severity] || a.time.localeCompare(b.time))[0];
  return main?.rule ?? 'incident';
}

function findingTypes(incident: Incident): string[] {
  const types = new Set<string>();
  for (const { tactic, technique } of incident.objectives) {
    const name = tactic.replace(/\s*\(.*\)\s*$/, '');
    if (TTP_CATEGORIES.has(name)) types.add(`TTPs/${name}`);
    else if (name === 'Exfiltration') types.add('Effects/Data Exfiltration');
    else if (name === 'Impact') types.add(technique.startsWith('T1496') ? 'Effects/Resource Consumption' : 'Effects');
    else if (name === 'Multiple tactics') types.add('TTPs');
  }
  return types.size > 0 ? [...types].slice(0, ASFF_LIMITS.types) : [FALLBACK_TYPE];
}

function planText(plan: Incident['plan']): string {
  const describe = (actions: readonly PlannedAction[]) =>
    actions.map((action) => `${action.action.replace(/-/g, ' ')} ${action.target}${action.dryRun ? ' (dry run)' : ''}`).join('; ');
  const parts = [
    plan.automatic.length > 0 ? `pivotguard runs: ${describe(plan.automatic)}.` : '',
    plan.approval.length > 0 ? `After approval: ${describe(plan.approval)}.` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : 'No containment is planned: review the incident and resolve or dismiss it with pivotguard.';
}

function productFields(incident: Incident, response: IncidentResponse | undefined, incidentUrl: string | undefined): Record<string, string> {
  const { workload } = incident;
  const fields: Record<string, string | null | undefined> = {
    'pivotguard/incidentId': incident.id,
    'pivotguard/status': response?.status ?? 'open',
    'pivotguard/openedAt': response?.openedAt,
    'pivotguard/cluster': workload.cluster,
    'pivotguard/namespace': workload.namespace,
    'pivotguard/pod': workload.pod,
    'pivotguard/owner': workload.owner,
    'pivotguard/serviceAccount': workload.serviceAccount,
    'pivotguard/node': workload.node,
    'pivotguard/image': workload.image,
    'pivotguard/signals': String(incident.signals.length),
    'pivotguard/link': incidentUrl,
  };
  return Object.fromEntries(
    Object.entries(fields)
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].length > 0)
      .map(([key, value]) => [key, clip(value, ASFF_LIMITS.productFieldValue)]),
  );
}

function resources(incident: Incident, where: { partition: NonNullable<FindingOptions['partition']>; accountId: string; region: string }): AsffResource[] {
  const { partition, accountId, region } = where;
  const { workload } = incident;
  const found: AsffResource[] = [];
  if (workload.cluster) {
    const arn = `arn:${partition}:eks:${region}:${accountId}:cluster/${workload.cluster}`;
    found.push({ Type: 'AwsEksCluster', Id: arn, Partition: partition, Region: region, Details: { AwsEksCluster: { Name: workload.cluster, Arn: arn } } });
  }
  if (workload.pod || workload.image) {
    const container = {
      ...(workload.pod ? { Name: workload.pod } : {}),
      ...(workload.image ? { ImageName: workload.image } : {}),
      ...(workload.imageDigest ? { ImageId: workload.imageDigest } : {}),
    };
    const id = [workload.cluster, workload.namespace, workload.pod].filter(Boolean).join('/') || workload.imageDigest || workload.image!;
    found.push({ Type: 'Container', Id: id, Partition: partition, Region: region, Details: { Container: container } });
  }
  for (const identity of incident.identities) {
    const roleName = parseRoleArn(identity.roleArn)?.roleName ?? identity.roleArn.slice(identity.roleArn.lastIndexOf('/') + 1);
    found.push({ Type: 'AwsIamRole', Id: identity.roleArn, Partition: partition, Details: { AwsIamRole: { RoleName: roleName } } });
  }
  // ASFF needs at least one resource: without a cluster, pod or role, the finding is about the account.
  if (found.length === 0) found.push({ Type: 'AwsAccount', Id: `AWS::::Account:${accountId}`, Partition: partition, Region: region });
  return found.slice(0, ASFF_LIMITS.resources);
}

function latest(times: readonly (string | undefined)[]): string {
  return times.filter((time): time is string => Boolean(time)).sort().at(-1)!;
}

/** Limits count characters; cutting by code point never leaves half a surrogate pair. */
function clip(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? `${chars.slice(0, max - 1).join('')}…` : text;
}
