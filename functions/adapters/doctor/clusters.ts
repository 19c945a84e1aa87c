import {
  type CloudWatchLogsClient,
  paginateDescribeLogGroups,
  paginateDescribeSubscriptionFilters,
  type SubscriptionFilter,
} from '@aws-sdk/client-cloudwatch-logs';
import { type Cluster, DescribeAddonCommand, DescribeClusterCommand, type EKSClient, paginateListClusters } from '@aws-sdk/client-eks';
import { parse } from 'yaml';
import { type CheckResult, ask, askIfExists, cannotTell, fail, ok, runCheck, warn } from './check.ts';

/** CloudWatch Logs allows this many subscription filters per log group (not adjustable). */
export const SUBSCRIPTION_FILTERS_PER_LOG_GROUP = 2;

/** The clients the cluster checks read. */
export interface ClusterClients {
  eks: EKSClient;
  logs: CloudWatchLogsClient;
}

/** Every EKS cluster of the region. Needs eks:ListClusters. */
export async function listClusterNames(eks: EKSClient): Promise<string[]> {
  return ask('eks:ListClusters', async () => {
    const names: string[] = [];
    for await (const page of paginateListClusters({ client: eks }, {})) names.push(...(page.clusters ?? []));
    return names;
  });
}

/**
 * What one cluster needs: audit logging and a free subscription slot on its log group (without
 * them the deploy fails or pivotguard sees nothing of the cluster), access entries for
 * containment, and a CNI that enforces the quarantine NetworkPolicy. Needs eks:DescribeCluster,
 * eks:DescribeAddon, logs:DescribeLogGroups and logs:DescribeSubscriptionFilters.
 */
export async function checkCluster(clients: ClusterClients, name: string, region: string): Promise<CheckResult[]> {
  const id = `cluster/${name}`;
  let cluster: Cluster | undefined;
  try {
    cluster = (await askIfExists('eks:DescribeCluster', () => clients.eks.send(new DescribeClusterCommand({ name })), isNotFound))?.cluster;
  } catch (error) {
    return [cannotTell(id, error)];
  }
  if (!cluster) {
    return [fail(id, `no EKS cluster "${name}" in ${region}: the stack could not subscribe to its audit log`, undefined, { blocking: true })];
  }
  const [subscription, networkPolicy] = await Promise.all([
    runCheck(`${id}/audit-subscription`, () => checkAuditSubscription(clients.logs, name, region)),
    runCheck(`${id}/network-policy`, () => checkNetworkPolicy(clients.eks, name, region)),
  ]);
  return [checkAuditLogging(cluster, name, region), ...subscription, checkAccessEntries(cluster, name, region), ...networkPolicy];
}

export function clusterLogGroupName(cluster: string): string {
  return `/aws/eks/${cluster}/cluster`;
}

function checkAuditLogging(cluster: Cluster, name: string, region: string): CheckResult {
  const id = `cluster/${name}/audit-logging`;
  const enabled = (cluster.logging?.clusterLogging ?? []).some((setup) => setup.enabled && setup.types?.includes('audit'));
  if (enabled) return ok(id, 'control-plane audit logging is on');
  return fail(id, 'control-plane audit logging is off: pivotguard sees nothing the Kubernetes API does', auditLoggingFix(name, region), { blocking: true });
}

function auditLoggingFix(name: string, region: string): string {
  return `aws eks update-cluster-config --region ${region} --name ${name} --logging '{"clusterLogging":[{"types":["audit"],"enabled":true}]}'`;
}

async function checkAuditSubscription(logs: CloudWatchLogsClient, name: string, region: string): Promise<CheckResult> {
  const id = `cluster/${name}/audit-subscription`;
  const logGroupName = clusterLogGroupName(name);
  const exists = await ask('logs:DescribeLogGroups', async () => {
    for await (const page of paginateDescribeLogGroups({ client: logs }, { logGroupNamePrefix: logGroupName })) {
      // The prefix also matches longer names.
      if (page.logGroups?.some((group) => group.logGroupName === logGroupName)) return true;
    }
    return false;
  });
  if (!exists) {
    return fail(
      id,
      `log group ${logGroupName} does not exist, so the stack cannot subscribe to it (EKS creates it when audit logging is turned on)`,
      auditLoggingFix(name, region),
      { blocking: true },
    );
  }
  const filters = await ask('logs:DescribeSubscriptionFilters', async () => {
    const found: SubscriptionFilter[] = [];
    for await (const page of paginateDescribeSubscriptionFilters({ client: logs }, { logGroupName })) found.push(...(page.subscriptionFilters ?? []));
    return found;
  });
  if (filters.some(deliversToPivotGuard)) return ok(id, `pivotguard's forwarder is already subscribed to ${logGroupName}`);
  if (filters.length < SUBSCRIPTION_FILTERS_PER_LOG_GROUP) {
    return ok(id, `${logGroupName} has a free subscription-filter slot (${filters.length} of ${SUBSCRIPTION_FILTERS_PER_LOG_GROUP} used)`);
  }
  const taken = filters.map((filter) => `"${filter.filterName}" to ${filter.destinationArn}`).join(', ');
  return fail(
    id,
    `both subscription-filter slots of ${logGroupName} are taken (${taken}); CloudWatch Logs allows ${SUBSCRIPTION_FILTERS_PER_LOG_GROUP} per log group`,
    `aws logs delete-subscription-filter --region ${region} --log-group-name ${logGroupName} --filter-name "${filters[0]!.filterName}"   # only if nothing needs that destination any more`,
    { blocking: true },
  );
}

/** The forwarder's function name carries the stack and construct names: PivotGuard-...Forwarder... */
function deliversToPivotGuard({ destinationArn = '' }: SubscriptionFilter): boolean {
  const [, , service, , , resourceType, functionName = ''] = destinationArn.split(':');
  return service === 'lambda' && resourceType === 'function' && /pivotguard/i.test(functionName) && /forwarder/i.test(functionName);
}

function checkAccessEntries(cluster: Cluster, name: string, region: string): CheckResult {
  const id = `cluster/${name}/access-entries`;
  // Clusters created before access entries existed report no access configuration: ConfigMap only.
  const mode = cluster.accessConfig?.authenticationMode ?? 'CONFIG_MAP';
  if (mode !== 'CONFIG_MAP') return ok(id, `authentication mode ${mode} takes the containment function's access entry`);
  return fail(
    id,
    'authentication mode CONFIG_MAP: containment cannot be given access to the cluster (detection is not affected)',
    `aws eks update-cluster-config --region ${region} --name ${name} --access-config authenticationMode=API_AND_CONFIG_MAP   # one way: a cluster cannot go back to CONFIG_MAP`,
    { blocking: false },
  );
}

async function checkNetworkPolicy(eks: EKSClient, name: string, region: string): Promise<CheckResult> {
  const id = `cluster/${name}/network-policy`;
  const answer = await askIfExists('eks:DescribeAddon', () => eks.send(new DescribeAddonCommand({ clusterName: name, addonName: 'vpc-cni' })), isNotFound);
  if (!answer?.addon) {
    return warn(id, 'self-managed CNI: pivotguard cannot tell whether it enforces NetworkPolicy (Calico and Cilium do); pod isolation needs it');
  }
  const values = configurationValues(answer.addon.configurationValues);
  if (String(values.enableNetworkPolicy) === 'true') return ok(id, 'the vpc-cni add-on enforces NetworkPolicy');
  // --configuration-values replaces the add-on's whole configuration: keep what is there.
  const merged = JSON.stringify({ ...values, enableNetworkPolicy: 'true' });
  return fail(
    id,
    'the vpc-cni add-on does not enforce NetworkPolicy: isolating a pod would change nothing',
    `aws eks update-addon --region ${region} --cluster-name ${name} --addon-name vpc-cni --configuration-values '${merged}'`,
    { blocking: false },
  );
}

/** An add-on's configuration values are JSON or YAML text (YAML reads both). */
function configurationValues(text: string | undefined): Record<string, unknown> {
  if (!text?.trim()) return {};
  try {
    const value: unknown = parse(text);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function isNotFound(error: { code: string }): boolean {
  return error.code === 'ResourceNotFoundException';
}
