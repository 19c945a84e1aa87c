import { type GraphNode, type GraphView, nodeKey } from '#core/model/graph';
import { parseRoleArn } from '#core/model/arn';
import type { Signal } from '#core/model/signal';
import { sanitize } from '#core/detect/actors';

/** A baseline needs a day of history before anything in it can be called new. */
const BASELINE_MS = 24 * 3600_000;

/**
 * First-seen facts behind an incident's signals: an address or API a role had never used, a
 * process an image had never run. They raise confidence; they never raise an alert on their own.
 * A pair is new when it first appeared after its baseline had a day of history, so the answer
 * is the same in any arrival order.
 */
export function newBehaviourOf(signals: Signal[], graph: GraphView): string[] {
  const found = new Set<string>();
  const starts = new Map<string, number | undefined>();
  const isNew = (baselineKey: string, target: string): boolean => {
    const baseline = graph.get(baselineKey);
    const edge = baseline?.edges[target];
    if (!baseline || !edge) return false;
    if (!starts.has(baselineKey)) starts.set(baselineKey, startOf(baseline));
    return edge.first - starts.get(baselineKey)! >= BASELINE_MS;
  };
  for (const signal of signals) {
    const { roleArn, sourceIp, api, process, imageDigest, image } = signal.subject;
    const role = signal.source === 'cloudtrail' && roleArn ? parseRoleArn(roleArn) : undefined;
    if (role) {
      const key = nodeKey.roleBaseline(role.accountId, role.roleName);
      if (sourceIp && isNew(key, nodeKey.ip(sourceIp))) found.add(`role ${role.roleName} had never been used from ${sourceIp}`);
      if (api && isNew(key, nodeKey.api(...splitApi(api)))) found.add(`role ${role.roleName} had never called ${sanitize(api, 80)}`);
    }
    const imageRef = imageDigest ?? image;
    if (process && imageRef && isNew(nodeKey.imageBaseline(imageRef), nodeKey.process(process))) {
      found.add(`image ${sanitize(image ?? imageRef, 80)} had never run ${sanitize(process, 80)}`);
    }
  }
  return [...found].sort();
}

function startOf(baseline: GraphNode): number {
  let start = Number.POSITIVE_INFINITY;
  for (const target in baseline.edges) start = Math.min(start, baseline.edges[target]!.first);
  return start;
}

/** "s3:GetObject" back to the (eventSource, eventName) nodeKey.api takes. */
function splitApi(api: string): [string, string] {
  const colon = api.indexOf(':');
  return [api.slice(0, colon), api.slice(colon + 1)];
}
