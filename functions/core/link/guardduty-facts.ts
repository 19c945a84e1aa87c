import type { GuardDutyFinding, SequenceAccessKey } from '#core/model/event';
import { type Fact, nodeKey } from '#core/model/graph';

/**
 * What a finding teaches the identity graph: the pod it names, and the instance session behind an
 * access key, its own or one its attack sequence names. A sequence's pods, other keys and roles
 * teach nothing new: correlation finds them where audit and CloudTrail records put them.
 */
export function guardDutyFacts(finding: GuardDutyFinding): Fact[] {
  if (finding.sample) return [];
  const facts: Fact[] = [];
  podFacts(finding, facts);
  if (finding.accessKeyId) {
    const key = { accessKeyId: finding.accessKeyId, principalId: finding.principalId, userName: finding.iamUserName };
    const instanceId = finding.type.startsWith(INSTANCE_CREDENTIAL_FINDING) ? finding.instanceId : undefined;
    instanceSessionFacts(finding, key, instanceId, facts);
  }
  // A sequence may name several instances: only a key's own principal says which one it belongs to.
  for (const key of finding.sequence?.accessKeys ?? []) instanceSessionFacts(finding, key, undefined, facts);
  return facts;
}

/** A runtime or EKS finding names the pod, its image and the instance it runs on. */
function podFacts(finding: GuardDutyFinding, facts: Fact[]): void {
  if (!finding.cluster || !finding.namespace || finding.workloadType !== 'pods' || !finding.workloadName) return;
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
  if (finding.instanceId) {
    edges.push(nodeKey.instance(finding.instanceId));
  }
  facts.push({ ...base, key, attrs, edges });
  for (const target of edges) facts.push({ ...base, key: target, edges: [key] });
  // The processes an image is seen running: runtime findings are the only process telemetry here.
  const process = finding.process?.executablePath ?? finding.process?.name;
  const image = container?.imageDigest ?? container?.image;
  if (process && image) facts.push({ ...base, key: nodeKey.imageBaseline(image), edges: [nodeKey.process(process)] });
}

/** An assumed role's principalId is the role id, a colon, then the session name. */
const ROLE_SESSION_PRINCIPAL = /^AROA[A-Z0-9]+:(.+)$/;
const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;
/** GuardDuty raises these only on credentials created for one EC2 instance through its instance profile. */
const INSTANCE_CREDENTIAL_FINDING = 'UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.';

/**
 * An access key GuardDuty saw, tied to the instance whose profile it was issued to: an instance
 * profile's session is named after the instance, so a principalId ending in an instance id names it
 * (the credential's own record, which the finding's instance details only repeat). Without such a
 * principalId, `fallbackInstanceId` (an instance credential finding's instance details) stands in.
 * Instance keys rotate about hourly, so this is often the first the graph hears of the key: it
 * becomes a node's instance session, whose use outside the cluster's egress names the node.
 */
function instanceSessionFacts(
  finding: GuardDutyFinding,
  { accessKeyId, principalId, userName: roleName }: SequenceAccessKey,
  fallbackInstanceId: string | undefined,
  facts: Fact[],
): void {
  if (!roleName) return;
  const principal = principalId ? ROLE_SESSION_PRINCIPAL.exec(principalId) : null;
  const sessionName = principal?.[1];
  const instanceId = sessionName !== undefined ? (INSTANCE_ID.test(sessionName) ? sessionName : undefined) : fallbackInstanceId;
  if (!instanceId) return;
  const base = { time: finding.time, eventId: finding.eventId };
  const session = nodeKey.session(finding.accountId, roleName, instanceId);
  const instance = nodeKey.instance(instanceId);
  const key = nodeKey.accessKey(accessKeyId);
  const roleArn = `arn:${partitionOf(finding.region)}:iam::${finding.accountId}:role/${roleName}`;
  facts.push({ ...base, key: session, attrs: { roleArn, sessionName: instanceId, via: 'instance-role' }, edges: [key, instance] });
  facts.push({ ...base, key: instance, edges: [session] });
  facts.push({ ...base, key, edges: [session] });
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
