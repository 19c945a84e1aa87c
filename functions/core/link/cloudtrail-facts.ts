import type { CloudTrailEvent } from '#core/model/event';
import { type Fact, nodeKey } from '#core/model/graph';
import { parseRoleArn, parseServiceAccountUser } from '#core/model/arn';
import { asArray, asObject, str } from '#core/model/json';
import { isIpAddress } from '#core/model/address';
import type { CloudTrailWatch } from '#core/detect/rule';

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/** What one CloudTrail record teaches the identity graph. */
export function cloudTrailFacts(event: CloudTrailEvent): Fact[] {
  const facts: Fact[] = [];
  if (!event.errorCode) {
    if (event.eventName === 'AssumeRoleWithWebIdentity') webIdentityFacts(event, facts);
    else if (event.eventName === 'AssumeRole' && event.identity.invokedBy === 'pods.eks.amazonaws.com') {
      podIdentityFacts(event, facts);
    } else if (event.eventName === 'AssumeRoleForPodIdentity' && event.identity.roleArn) {
      // The Pod Identity agent calls from the node: its address is cluster egress.
      learnEgress(event, sessionKeyOf(event), facts);
    }
  }
  callerFacts(event, facts);
  baselineFacts(event, facts);
  if (event.eventSource === 'iam.amazonaws.com' && !event.errorCode) roleChangeFacts(event, facts);
  return facts;
}

const ROLE_CHANGES: Record<string, string> = {
  PutRolePolicy: 'inline policy put',
  AttachRolePolicy: 'managed policy attached',
  DetachRolePolicy: 'managed policy detached',
  DeleteRolePolicy: 'inline policy deleted',
  UpdateAssumeRolePolicy: 'trust policy changed',
  PutRolePermissionsBoundary: 'permissions boundary set',
};

/**
 * The CloudTrail records the identity graph learns from: the calls that issue workload
 * credentials (IRSA; Pod Identity, the agent's exchange on the node and the AssumeRole EKS makes
 * with the pod's tags), role policy changes, and every change, which ties the caller's key to
 * its session, instance and address. Read-only calls would teach the same but are the bulk of
 * the volume: a node's instance session and NAT address are learned from its changes (the VPC
 * CNI's interfaces and addresses) and the Pod Identity agent, not from its image pulls.
 */
export const CLOUDTRAIL_FACTS_WATCH: CloudTrailWatch = {
  calls: [
    'sts.amazonaws.com:AssumeRoleWithWebIdentity',
    'sts.amazonaws.com:AssumeRole',
    'eks-auth.amazonaws.com:AssumeRoleForPodIdentity',
    ...Object.keys(ROLE_CHANGES).map((call) => `iam.amazonaws.com:${call}`),
  ],
  writes: true,
};

/** Changes to a role's policies are part of "what changed" for any incident using that role. */
function roleChangeFacts(event: CloudTrailEvent, facts: Fact[]): void {
  const change = ROLE_CHANGES[event.eventName];
  const roleName = str(event.requestParameters?.roleName);
  const accountId = event.accountId;
  if (!change || !roleName || !accountId) return;
  const what = str(event.requestParameters?.policyName) ?? str(event.requestParameters?.policyArn) ?? '';
  const who = event.identity.arn ?? event.identity.userName ?? 'an unknown principal';
  facts.push({
    key: nodeKey.role(accountId, roleName),
    time: event.time,
    eventId: event.eventId,
    changes: [`role ${roleName}: ${change}${what ? ` (${what})` : ''} by ${who}`],
  });
}

/** A role's normal: every address it is used from and every API it calls, with when first seen. */
function baselineFacts(event: CloudTrailEvent, facts: Fact[]): void {
  const role = event.identity.roleArn ? parseRoleArn(event.identity.roleArn) : undefined;
  if (!role) return;
  const edges = [nodeKey.api(event.eventSource, event.eventName)];
  if (isIpAddress(event.sourceIp)) edges.push(nodeKey.ip(event.sourceIp));
  facts.push({ key: nodeKey.roleBaseline(role.accountId, role.roleName), time: event.time, eventId: event.eventId, edges });
}

/** Every call made with temporary credentials ties its key to its session and address. */
function callerFacts(event: CloudTrailEvent, facts: Fact[]): void {
  const { accessKeyId, roleArn, sessionName } = event.identity;
  if (!accessKeyId) return;
  const keyEdges: string[] = [];
  if (isIpAddress(event.sourceIp)) keyEdges.push(nodeKey.ip(event.sourceIp));
  const session = sessionKeyOf(event);
  if (session && roleArn && sessionName) {
    keyEdges.push(session);
    const sessionFact: Fact = {
      key: session,
      time: event.time,
      eventId: event.eventId,
      attrs: { roleArn, sessionName },
      edges: [nodeKey.accessKey(accessKeyId)],
    };
    if (INSTANCE_ID.test(sessionName)) {
      sessionFact.attrs!.via = 'instance-role';
      sessionFact.edges!.push(nodeKey.instance(sessionName));
      facts.push({ key: nodeKey.instance(sessionName), time: event.time, eventId: event.eventId, edges: [session] });
      // Nodes share their NAT gateway: an address several instance sessions call from is egress.
      learnEgress(event, session, facts);
    }
    facts.push(sessionFact);
  }
  facts.push({ key: nodeKey.accessKey(accessKeyId), time: event.time, eventId: event.eventId, edges: keyEdges });
}

function sessionKeyOf(event: CloudTrailEvent): string | undefined {
  const { roleArn, sessionName } = event.identity;
  const role = roleArn ? parseRoleArn(roleArn) : undefined;
  return role && sessionName ? nodeKey.session(role.accountId, role.roleName, sessionName) : undefined;
}

interface IssuedSession {
  roleArn: string;
  session: string;
  sessionName: string;
  accessKeyId?: string;
}

function issuedSession(event: CloudTrailEvent): IssuedSession | undefined {
  const roleArn = str(event.requestParameters?.roleArn);
  const sessionName = str(event.requestParameters?.roleSessionName);
  const role = roleArn ? parseRoleArn(roleArn) : undefined;
  if (!roleArn || !sessionName || !role) return undefined;
  const credentials = asObject(event.responseElements?.credentials);
  return {
    roleArn,
    sessionName,
    session: nodeKey.session(role.accountId, role.roleName, sessionName),
    accessKeyId: str(credentials?.accessKeyId),
  };
}

function webIdentityFacts(event: CloudTrailEvent, facts: Fact[]): void {
  const issued = issuedSession(event);
  const subject = str(event.responseElements?.subjectFromWebIdentityToken) ?? event.identity.userName ?? '';
  const account = parseServiceAccountUser(subject);
  const role = issued ? parseRoleArn(issued.roleArn) : undefined;
  if (!issued || !role) return;
  const edges: string[] = [];
  if (account) {
    const binding = nodeKey.webIdentity(role.accountId, role.roleName, account.namespace, account.name);
    edges.push(binding);
    facts.push({ key: binding, time: event.time, eventId: event.eventId, attrs: { roleArn: issued.roleArn }, edges: [issued.session] });
  }
  issueFacts(event, issued, 'irsa', edges, facts);
}

function podIdentityFacts(event: CloudTrailEvent, facts: Fact[]): void {
  const issued = issuedSession(event);
  if (!issued) return;
  const tags: Record<string, string> = {};
  for (const tag of asArray(event.requestParameters?.tags)) {
    if (str(tag.key) && str(tag.value)) tags[str(tag.key)!] = str(tag.value)!;
  }
  const cluster = tags['eks-cluster-name'];
  const namespace = tags['kubernetes-namespace'];
  const pod = tags['kubernetes-pod-name'];
  const serviceAccount = tags['kubernetes-service-account'];
  const edges: string[] = [];
  if (cluster && namespace && pod) {
    const podKey = nodeKey.pod(cluster, namespace, pod);
    edges.push(podKey);
    const podAttrs: Record<string, string> = {};
    if (serviceAccount) podAttrs.serviceAccount = serviceAccount;
    if (tags['kubernetes-pod-uid']) podAttrs.uid = tags['kubernetes-pod-uid'];
    facts.push({ key: podKey, time: event.time, eventId: event.eventId, attrs: podAttrs, edges: [issued.session] });
  }
  issueFacts(event, issued, 'pod-identity', edges, facts);
}

function issueFacts(event: CloudTrailEvent, issued: IssuedSession, via: string, edges: string[], facts: Fact[]): void {
  const attrs = { roleArn: issued.roleArn, sessionName: issued.sessionName, via, issuedAt: event.time };
  if (issued.accessKeyId) {
    const key = nodeKey.accessKey(issued.accessKeyId);
    edges.push(key);
    facts.push({ key, time: event.time, eventId: event.eventId, edges: [issued.session] });
  }
  facts.push({ key: issued.session, time: event.time, eventId: event.eventId, attrs, edges });
  learnEgress(event, issued.session, facts);
}

/** An address that credential-issuing calls come from is a candidate cluster egress address. */
function learnEgress(event: CloudTrailEvent, session: string | undefined, facts: Fact[]): void {
  if (!session || !isIpAddress(event.sourceIp)) return;
  facts.push({ key: nodeKey.egress(event.sourceIp), time: event.time, eventId: event.eventId, edges: [session] });
}
