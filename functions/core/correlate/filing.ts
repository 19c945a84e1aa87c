import type { Config } from '#core/config';
import { type GraphView, kindOf, nodeKey } from '#core/model/graph';
import { type Signal, severityRank } from '#core/model/signal';
import { isClusterEgress } from '#core/detect/index';
import { accountOf } from '#core/model/arn';
import { findBurst } from './burst.ts';
import { type Resolution, resolveSignal } from './resolve.ts';

/** Where a signal is filed and what it joins by, as correlation resolves it against the graph now. */
export interface Filing {
  /** Its joinable anchors and the nodes whose change can change how it resolves. */
  keys: string[];
  /** What it joins other signals by: its anchors, and for a signal strong enough to matter its broad anchors too (group.ts). */
  anchors: string[];
}

/**
 * Of a weak signal's resolution, the nodes on the path to what is certainly its own (its
 * credentials, sessions, nodes and instances): a replica added to or removed from a shared
 * identity leaves those alone, and reading every weak signal again whenever one was would cost
 * more than the batch.
 */
const WEAK_PATH_KINDS = new Set(['key', 'session', 'instance', 'node', 'podip']);

/**
 * The filing of a signal: the anchors it joins by (as group.ts joins them) and the keys under
 * which a batch that changes them will find it. A strong signal depends on every node its
 * resolution read; a weak one only on the path to its own anchors.
 */
export function filingOf(signal: Signal, graph: GraphView, config: Config): Filing {
  const read = new Set<string>();
  const recording: GraphView = {
    get: (key) => {
      read.add(key);
      return graph.get(key);
    },
  };
  const resolution = resolveSignal(signal, recording);
  if (signal.recheck === 'outside-egress' && signal.subject.sourceIp)
    isClusterEgress(signal.subject.sourceIp, recording, config, accountOf(signal.subject.roleArn));
  const strong = severityRank[signal.severity] >= severityRank.medium;
  // The incident tells its pod's image vulnerabilities: a scan that arrives later (or the deployed lookup) rebuilds it.
  if (strong) {
    for (const { key } of resolution.pods) {
      const digest = recording.get(key)?.attrs.imageDigest?.value;
      if (typeof digest === 'string') recording.get(nodeKey.image(digest));
    }
  }
  const anchors = [...new Set(strong ? [...resolution.anchors, ...resolution.broadAnchors] : resolution.anchors)].sort();
  const dependencies = strong ? [...read] : [...read].filter((key) => WEAK_PATH_KINDS.has(kindOf(key)) || anchors.includes(key));
  return { keys: [...new Set([...anchors, ...dependencies])].sort(), anchors };
}

/**
 * The kinds of node resolveSignal and the egress re-check read (resolve.ts, outside-egress.ts):
 * a batch that teaches one of these something may change how a filed signal resolves. A test
 * holds filingOf's reads to this list.
 */
export const RESOLUTION_READ_KINDS: ReadonlySet<string> = new Set([
  'pod',
  'key',
  'session',
  'webidentity',
  'instance',
  'podip',
  'egress',
  'credential',
  'image',
]);

const UNRESOLVED: Resolution = { pods: [], sessions: [], nodes: [], anchors: [], broadAnchors: [], viaWorkloadCredentials: false };

/** Whether any group of these signals could open an incident (index.ts): one strong enough, or a burst of weak probes. */
export function mayOpenIncident(signals: readonly Signal[]): boolean {
  return (
    signals.some((signal) => severityRank[signal.severity] >= severityRank.medium) ||
    findBurst(signals.map((signal) => ({ signal, resolution: UNRESOLVED }))) !== undefined
  );
}
