import type { GraphNode, GraphView } from './graph.ts';

/**
 * Where a credential came from. A linked session that calls `sts:AssumeRole` hands out a session
 * of another role (role chaining); an access key created by a linked session, and the session
 * tokens an IAM user key obtains with `GetSessionToken` or `GetFederationToken`, are credentials
 * of their own. The link stage records on each such session or key the node it was derived from
 * (`derivedFrom`), so whatever the attacker does with the derived credential leads back to the
 * pod. Derivation is followed this many steps: chains longer than that are not a pod's.
 */
const MAX_DERIVATIONS = 8;

/** The attribute the link stage writes on a derived session or key: the node key of its parent credential. */
export const DERIVED_FROM = 'derivedFrom';

/** The credential itself, then each one it was derived from, root last; a cycle ends the walk. */
export function credentialLineage(start: string, graph: GraphView): { key: string; node: GraphNode | undefined }[] {
  const lineage: { key: string; node: GraphNode | undefined }[] = [];
  const seen = new Set<string>();
  let key: string | undefined = start;
  while (key !== undefined && !seen.has(key) && lineage.length <= MAX_DERIVATIONS) {
    seen.add(key);
    const node = graph.get(key);
    lineage.push({ key, node });
    const parent: unknown = node?.attrs[DERIVED_FROM]?.value;
    key = typeof parent === 'string' ? parent : undefined;
  }
  return lineage;
}

/** The session every credential of the lineage descends from (the pod's, node's or person's), when it is a session. */
export function rootSessionOf(start: string, graph: GraphView): { key: string; node: GraphNode | undefined } | undefined {
  const lineage = credentialLineage(start, graph);
  const root = lineage[lineage.length - 1];
  return root?.key.startsWith('session|') ? root : undefined;
}
