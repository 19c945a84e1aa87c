import { inAnyRange, isPublicAddress } from '#core/model/address';
import { endpointOf } from '#core/model/call-source';
import { type GraphView, kindOf, keyParts, nodeKey } from '#core/model/graph';
import type { Config } from '#core/config';
import { readEgressReason, readEndpointReason } from '#core/deployment-network';

/**
 * Whether a call's source (an address, or a VPC endpoint as callSourceOf records it) is the
 * cluster's, and why: the reason an incident gives for counting an address as egress.
 *
 * Learned egress must not be trainable. An attacker who exchanges one stolen token from their own
 * address many times produces many sessions, but always for one workload; so a source is learned
 * only when credentials were issued from it to at least two different workloads (IRSA service
 * accounts, nodes' instances) over at least ten minutes. Configured CIDRs and endpoints, and in the
 * deployed stack the NAT gateways and endpoints EC2 lists in the cluster's VPC, need no learning.
 */
const LEARNED_WORKLOADS = 2;
const LEARNED_SPAN_MS = 10 * 60_000;

/**
 * The workloads that count for learning: what one stolen credential cannot multiply. Through a VPC
 * endpoint, the roles whose calls it carried count too: one stolen session is one role (a role it
 * chains to would make two, which is why configured or EC2-read endpoints are preferred).
 */
const ISSUING_KINDS = new Set(['webidentity', 'instance', 'pod']);
const ENDPOINT_KINDS = new Set([...ISSUING_KINDS, 'role']);

export function egressReason(source: string, graph: GraphView, config: Config, accountId?: string): string | undefined {
  const endpoint = endpointOf(source);
  if (endpoint) {
    if (configuredEndpoints(config).includes(endpoint.endpointId)) return `VPC endpoint ${endpoint.endpointId} is configured as the cluster's (vpcEndpointIds)`;
    const read = readEndpointReason(endpoint.endpointId, config);
    if (read) return read;
    // An endpoint another account owns is never the cluster's, however many sessions came through it.
    if (endpoint.accountId && accountId && endpoint.accountId !== accountId) return undefined;
    return learned(source, graph, ENDPOINT_KINDS);
  }
  // Without an endpoint, only the node's own or the VPC's addresses are private: CloudTrail records those for calls from inside.
  if (!isPublicAddress(source)) return 'a private address, not through a VPC endpoint: a call from inside the VPC';
  if (inAnyRange(source, config.egressCidrs)) return 'in the configured egressCidrs';
  for (const [name, cluster] of Object.entries(config.clusters)) {
    if (inAnyRange(source, cluster.egressCidrs)) return `in cluster ${name}'s configured egressCidrs`;
  }
  // In the deployed stack: the NAT gateways of the cluster's VPC, as EC2 lists them now.
  const read = readEgressReason(source, config);
  if (read) return read;
  return learned(source, graph, ISSUING_KINDS);
}

export function isClusterEgress(source: string, graph: GraphView, config: Config, accountId?: string): boolean {
  return egressReason(source, graph, config, accountId) !== undefined;
}

function learned(source: string, graph: GraphView, kinds: ReadonlySet<string>): string | undefined {
  const node = graph.get(nodeKey.egress(source));
  if (!node) return undefined;
  const workloads: string[] = [];
  let first = Number.POSITIVE_INFINITY;
  let last = Number.NEGATIVE_INFINITY;
  for (const target in node.edges) {
    if (!kinds.has(kindOf(target))) continue;
    const edge = node.edges[target]!;
    workloads.push(describeWorkload(target));
    first = Math.min(first, edge.first);
    last = Math.max(last, edge.last);
  }
  if (workloads.length < LEARNED_WORKLOADS || last - first < LEARNED_SPAN_MS) return undefined;
  const minutes = Math.round((last - first) / 60_000);
  return `learned: ${workloads.length} different workloads got credentials or called through it (${workloads.sort().slice(0, 3).join(', ')}) over ${minutes} minutes`;
}

function describeWorkload(key: string): string {
  const parts = keyParts(key);
  if (key.startsWith('webidentity|')) return `service account ${parts[2]}/${parts[3]}`;
  if (key.startsWith('instance|')) return `instance ${parts[0]}`;
  if (key.startsWith('role|')) return `role ${parts[1]}`;
  return `pod ${parts.slice(1).join('/')}`;
}

function configuredEndpoints(config: Config): string[] {
  return Object.values(config.clusters).flatMap((cluster) => cluster.vpcEndpointIds);
}
