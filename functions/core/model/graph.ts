/**
 * The identity graph: pods, service accounts, roles, sessions, access keys, nodes and
 * instances, joined by edges. Every merge is commutative and idempotent (latest value
 * wins by event time then event id; edges keep min first-seen and max last-seen), so
 * the graph is the same whatever order or how often records arrive.
 */
export type NodeKind =
  | 'pod'
  | 'sa'
  | 'role'
  | 'session'
  | 'key'
  | 'node'
  | 'instance'
  | 'image'
  | 'workload'
  | 'webidentity'
  | 'egress'
  | 'podip'
  | 'baseline'
  | 'ip'
  | 'credential'
  /** A vulnerable package of an image, by digest (see model/vulnerability.ts). */
  | 'imagevuln';

export type AttrValue = string | number | boolean;

export interface VersionedAttr {
  value: AttrValue;
  time: number;
  eventId: string;
}

export interface Edge {
  first: number;
  last: number;
  /** Event that first showed this edge: evidence for derived signals. */
  firstEventId: string;
}

export interface GraphNode {
  key: string;
  attrs: Record<string, VersionedAttr>;
  edges: Record<string, Edge>;
  /** Recent changes worth telling a responder: description -> earliest time seen. */
  changes: Record<string, number>;
  /** Newest event time that touched this node; drives TTL. */
  lastSeen: number;
}

/** One observation about one node, produced by the link stage from one event. */
export interface Fact {
  key: string;
  time: number;
  eventId: string;
  attrs?: Record<string, AttrValue>;
  edges?: string[];
  changes?: string[];
}

/** Read access to a consistent snapshot of the graph, as the pure stages need it. */
export interface GraphView {
  get(key: string): GraphNode | undefined;
}

export const nodeKey = {
  pod: (cluster: string, namespace: string, name: string) => `pod|${cluster}|${namespace}|${name}`,
  serviceAccount: (cluster: string, namespace: string, name: string) => `sa|${cluster}|${namespace}|${name}`,
  role: (accountId: string, roleName: string) => `role|${accountId}|${roleName}`,
  session: (accountId: string, roleName: string, sessionName: string) => `session|${accountId}|${roleName}|${sessionName}`,
  accessKey: (accessKeyId: string) => `key|${accessKeyId}`,
  node: (cluster: string, name: string) => `node|${cluster}|${name}`,
  instance: (instanceId: string) => `instance|${instanceId}`,
  image: (digest: string) => `image|${digest}`,
  workload: (cluster: string, namespace: string, kind: string, name: string) => `workload|${cluster}|${namespace}|${kind}|${name}`,
  /** An IRSA binding: the role a service account (by namespace and name) may assume. */
  webIdentity: (accountId: string, roleName: string, namespace: string, serviceAccount: string) =>
    `webidentity|${accountId}|${roleName}|${namespace}|${serviceAccount}`,
  /** A source address that issued workload credentials: learned cluster egress. */
  egress: (ip: string) => `egress|${ip}`,
  /** Pod IPs are reused, so a pod-IP node can point at several pods over time. */
  podIp: (cluster: string, ip: string) => `podip|${cluster}|${ip}`,
  /**
   * What a role or an image normally does, as edges with first-seen times: the addresses and
   * APIs a role is used from and for (targets ip| and api|), the processes an image runs (process|).
   */
  roleBaseline: (accountId: string, roleName: string) => `baseline|role|${accountId}|${roleName}`,
  imageBaseline: (image: string) => `baseline|image|${image}`,
  api: (eventSource: string, eventName: string) => `api|${eventSource.replace('.amazonaws.com', '')}:${eventName}`,
  process: (path: string) => `process|${path}`,
  /** A service-account token by its id (`JTI=…`), issued by a TokenRequest: who asked for it, for which account. */
  credential: (cluster: string, credentialId: string) => `credential|${cluster}|${credentialId}`,
  /** Source addresses are edge targets only, never stored as nodes. */
  ip: (ip: string) => `ip|${ip}`,
} as const;

export function kindOf(key: string): NodeKind {
  return key.slice(0, key.indexOf('|')) as NodeKind;
}

/** The parts of a key after its kind, e.g. ['prod', 'payments', 'checkout-1'] for a pod. */
export function keyParts(key: string): string[] {
  // Correlation asks this of every key it reads: one array rather than two.
  const kindEnd = key.indexOf('|');
  return kindEnd < 0 ? [] : key.slice(kindEnd + 1).split('|');
}
