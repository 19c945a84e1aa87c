import type { GuardDutyFinding } from '#core/model/event';
import { type Fact, nodeKey } from '#core/model/graph';

/** A runtime or EKS finding names the pod, its image and the instance it runs on. */
export function guardDutyFacts(finding: GuardDutyFinding): Fact[] {
  if (finding.sample || !finding.cluster || !finding.namespace || finding.workloadType !== 'pods' || !finding.workloadName) {
    return [];
  }
  const key = nodeKey.pod(finding.cluster, finding.namespace, finding.workloadName);
  const base = { time: finding.time, eventId: finding.eventId };
  const attrs: Fact['attrs'] = {};
  const edges: string[] = [];
  if (finding.workloadUid) attrs.uid = finding.workloadUid;
  const container = finding.containers[0];
  if (container?.image) attrs.image = container.image;
  if (container?.imageDigest) {
    attrs.imageDigest = container.imageDigest;
    edges.push(nodeKey.image(container.imageDigest));
  }
  const facts: Fact[] = [];
  if (finding.instanceId) {
    edges.push(nodeKey.instance(finding.instanceId));
  }
  facts.push({ ...base, key, attrs, edges });
  for (const target of edges) facts.push({ ...base, key: target, edges: [key] });
  // The processes an image is seen running: runtime findings are the only process telemetry here.
  const process = finding.process?.executablePath ?? finding.process?.name;
  const image = container?.imageDigest ?? container?.image;
  if (process && image) facts.push({ ...base, key: nodeKey.imageBaseline(image), edges: [nodeKey.process(process)] });
  return facts;
}
