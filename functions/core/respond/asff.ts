import { clusterAccountOf, clusterNameOf } from '#core/model/cluster-id';
import type { Incident } from '#core/model/incident';
import { severityRank } from '#core/model/signal';
import { type IncidentView, type StepView, incidentView } from '#core/view/incident-view';
import { ellipsize } from '#core/view/words';
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
/** The recommendation when pivotguard plans no step. */
export const NO_PLAN_TEXT = 'No containment is planned: review the incident and resolve or dismiss it with pivotguard.';

export function incidentFinding(incident: Incident, response: IncidentResponse | undefined, options: FindingOptions): AsffFinding {
  const view = incidentView(incident, response);
  const partition = options.partition ?? 'aws';
  const { accountId, region } = options;
  const { risk } = view;
  const severity: AsffSeverity = { Label: risk.severity.toUpperCase() as AsffSeverity['Label'], Original: risk.severity };
  const confidence = Math.min(100, Math.max(0, Math.round(risk.confidence * 100)));
  const types = findingTypes(view);
  const fallbackTitle = `pivotguard incident ${view.id}`;
  return {
    SchemaVersion: SCHEMA_VERSION,
    Id: `pivotguard/${view.id}`,
    ProductArn: options.productArn ?? `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`,
    ProductName: 'pivotguard',
    CompanyName: 'pivotguard',
    GeneratorId: `pivotguard/${mainRule(view)}`,
    AwsAccountId: accountId,
    Region: region,
    Types: types,
    CreatedAt: view.seen.from,
    UpdatedAt: options.updatedAt ?? latest([view.seen.to, view.response?.openedAt, ...(view.response?.history.map((change) => change.at) ?? [])]),
    FirstObservedAt: view.seen.from,
    LastObservedAt: view.seen.to,
    Severity: severity,
    Confidence: confidence,
    Title: ellipsize(view.headline || fallbackTitle, ASFF_LIMITS.title),
    Description: ellipsize(view.explanation || view.headline || fallbackTitle, ASFF_LIMITS.description),
    ...(options.incidentUrl ? { SourceUrl: options.incidentUrl } : {}),
    Remediation: { Recommendation: { Text: ellipsize(planText(view.plan), ASFF_LIMITS.recommendation) } },
    ProductFields: productFields(view, options.incidentUrl),
    Resources: resources(view, { partition, accountId, region }),
    Workflow: { Status: WORKFLOW[view.status.code] },
    RecordState: view.status.code === 'resolved' || view.status.code === 'false-positive' ? 'ARCHIVED' : 'ACTIVE',
    FindingProviderFields: { Severity: severity, Confidence: confidence, Types: types },
  };
}

/** The rule of the most severe signal (the earliest among equals): what the incident is mainly about. */
function mainRule(view: IncidentView): string {
  const main = [...view.timeline].sort((a, b) => severityRank[b.severity] - severityRank[a.severity] || a.time.localeCompare(b.time))[0];
  return main?.rule ?? 'incident';
}

function findingTypes(view: IncidentView): string[] {
  const types = new Set<string>();
  for (const { tacticName: name, technique } of view.objectives) {
    if (TTP_CATEGORIES.has(name)) types.add(`TTPs/${name}`);
    else if (name === 'Exfiltration') types.add('Effects/Data Exfiltration');
    else if (name === 'Impact') types.add(technique.startsWith('T1496') ? 'Effects/Resource Consumption' : 'Effects');
    else if (name === 'Multiple tactics') types.add('TTPs');
  }
  return types.size > 0 ? [...types].slice(0, ASFF_LIMITS.types) : [FALLBACK_TYPE];
}

function planText(plan: IncidentView['plan']): string {
  const describe = (steps: readonly StepView[]) => steps.map((step) => `${step.action.label} ${step.target}${step.dryRun ? ' (dry run)' : ''}`).join('; ');
  const parts = [
    plan.automatic.length > 0 ? `pivotguard runs: ${describe(plan.automatic)}.` : '',
    plan.approval.length > 0 ? `After approval: ${describe(plan.approval)}.` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' ') : NO_PLAN_TEXT;
}

function productFields(view: IncidentView, incidentUrl: string | undefined): Record<string, string> {
  const { where } = view;
  const fields: Record<string, string | null | undefined> = {
    'pivotguard/incidentId': view.id,
    'pivotguard/status': view.status.code,
    'pivotguard/openedAt': view.response?.openedAt,
    'pivotguard/cluster': where.cluster,
    'pivotguard/namespace': where.namespace,
    'pivotguard/pod': where.pod,
    'pivotguard/owner': where.owner,
    'pivotguard/serviceAccount': where.serviceAccount,
    'pivotguard/node': where.node,
    'pivotguard/image': where.image,
    'pivotguard/signals': String(view.timeline.length),
    'pivotguard/link': incidentUrl,
    // The finding is the hub's (see resources); the accounts the incident happened in are named here and as resources.
    'pivotguard/accounts': view.accounts.map((account) => account.id).join(',') || undefined,
  };
  return Object.fromEntries(
    Object.entries(fields)
      .filter((entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].length > 0)
      .map(([key, value]) => [key, ellipsize(value, ASFF_LIMITS.productFieldValue)]),
  );
}

function resources(view: IncidentView, at: { partition: NonNullable<FindingOptions['partition']>; accountId: string; region: string }): AsffResource[] {
  const { partition, accountId, region } = at;
  const { where } = view;
  const found: AsffResource[] = [];
  if (where.cluster) {
    // A member account's cluster (NAME@ACCOUNT) is named by its own account's ARN.
    const name = clusterNameOf(where.cluster);
    const arn = `arn:${partition}:eks:${region}:${clusterAccountOf(where.cluster) ?? accountId}:cluster/${name}`;
    found.push({ Type: 'AwsEksCluster', Id: arn, Partition: partition, Region: region, Details: { AwsEksCluster: { Name: name, Arn: arn } } });
  }
  if (where.pod || where.image) {
    const container = {
      ...(where.pod ? { Name: where.pod } : {}),
      ...(where.image ? { ImageName: where.image } : {}),
      ...(where.imageDigest ? { ImageId: where.imageDigest } : {}),
    };
    const id = [where.cluster, where.namespace, where.pod].filter(Boolean).join('/') || where.imageDigest || where.image!;
    found.push({ Type: 'Container', Id: id, Partition: partition, Region: region, Details: { Container: container } });
  }
  for (const identity of view.identities) {
    found.push({ Type: 'AwsIamRole', Id: identity.roleArn, Partition: partition, Details: { AwsIamRole: { RoleName: identity.roleName } } });
  }
  // BatchImportFindings with the default product ARN only accepts AwsAccountId equal to the calling
  // account (the hub), administrator or not: the affected member accounts are named as resources instead.
  for (const account of view.accounts) {
    if (account.id !== accountId) found.push({ Type: 'AwsAccount', Id: `AWS::::Account:${account.id}`, Partition: partition });
  }
  // ASFF needs at least one resource: without a cluster, pod or role, the finding is about the account.
  if (found.length === 0) found.push({ Type: 'AwsAccount', Id: `AWS::::Account:${accountId}`, Partition: partition, Region: region });
  return found.slice(0, ASFF_LIMITS.resources);
}

function latest(times: readonly (string | undefined)[]): string {
  return times
    .filter((time): time is string => Boolean(time))
    .sort()
    .at(-1)!;
}
