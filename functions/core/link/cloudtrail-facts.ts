import type { CloudTrailEvent } from '#core/model/event';
import { type Fact, nodeKey } from '#core/model/graph';
import { parseRoleArn, parseServiceAccountUser } from '#core/model/arn';
import { type ClusterScope, UNSCOPED } from '#core/model/cluster-id';
import { asArray, asObject, str } from '#core/model/json';
import { callSourceOf } from '#core/model/call-source';
import type { CloudTrailWatch } from '#core/detect/rule';
import { DERIVED_FROM } from '#core/model/credential-lineage';
import { SECRET_FACTS_WATCH } from './secret-facts.ts';

const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

/** What one CloudTrail record teaches the identity graph. */
export function cloudTrailFacts(event: CloudTrailEvent, clusters: Pick<ClusterScope, 'idOf'> = UNSCOPED): Fact[] {
  const facts: Fact[] = [];
  if (!event.errorCode) {
    if (event.eventName === 'AssumeRoleWithWebIdentity') webIdentityFacts(event, facts);
    else if (event.eventName === 'AssumeRole' && event.identity.invokedBy === 'pods.eks.amazonaws.com') {
      podIdentityFacts(event, clusters, facts);
    } else if (event.eventName === 'AssumeRoleForPodIdentity' && event.identity.sessionName && INSTANCE_ID.test(event.identity.sessionName)) {
      // The Pod Identity agent calls with its node's instance credentials: its address is the cluster's.
      learnEgress(event, nodeKey.instance(event.identity.sessionName), facts);
    } else if (event.eventName === 'AssumeRole') chainedSessionFacts(event, facts);
    else if (DERIVED_KEY_CALLS.has(event.eventName)) derivedKeyFacts(event, facts);
  }
  callerFacts(event, facts);
  endpointFacts(event, facts);
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
    'sts.amazonaws.com:GetSessionToken',
    'sts.amazonaws.com:GetFederationToken',
    'iam.amazonaws.com:CreateAccessKey',
    ...SECRET_FACTS_WATCH.calls!,
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

/**
 * A VPC endpoint the cluster's pods call through carries many roles' calls (interface endpoints
 * for KMS or Secrets Manager, gateway endpoints for S3): each role is a workload for learning the
 * endpoint as the cluster's. One stolen session through an attacker's endpoint is one role.
 */
function endpointFacts(event: CloudTrailEvent, facts: Fact[]): void {
  const source = callSourceOf(event);
  const role = event.identity.roleArn ? parseRoleArn(event.identity.roleArn) : undefined;
  if (!source?.startsWith('vpce:') || !role) return;
  facts.push({ key: nodeKey.egress(source), time: event.time, eventId: event.eventId, edges: [nodeKey.role(role.accountId, role.roleName)] });
}

/** A role's normal: every address it is used from and every API it calls, with when first seen. */
function baselineFacts(event: CloudTrailEvent, facts: Fact[]): void {
  const role = event.identity.roleArn ? parseRoleArn(event.identity.roleArn) : undefined;
  if (!role) return;
  const edges = [nodeKey.api(event.eventSource, event.eventName)];
  const source = callSourceOf(event);
  if (source) edges.push(nodeKey.ip(source));
  facts.push({ key: nodeKey.roleBaseline(role.accountId, role.roleName), time: event.time, eventId: event.eventId, edges });
}

/** Every call made with temporary credentials ties its key to its session and address. */
function callerFacts(event: CloudTrailEvent, facts: Fact[]): void {
  const { accessKeyId, roleArn, sessionName } = event.identity;
  if (!accessKeyId) return;
  const keyEdges: string[] = [];
  const source = callSourceOf(event);
  if (source) keyEdges.push(nodeKey.ip(source));
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
      // Nodes share their NAT gateway: an address several instances call from is egress.
      learnEgress(event, nodeKey.instance(sessionName), facts);
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

/**
 * Role chaining: a session (or an IAM user key) that calls AssumeRole hands out a session of
 * another role, possibly in another account. The new session is recorded as derived from the
 * caller's credential, and the caller's session points at it, so what the chained session does
 * leads back to the pod, and containment of the pod reaches the chained role.
 */
function chainedSessionFacts(event: CloudTrailEvent, facts: Fact[]): void {
  const issued = issuedSession(event);
  const parent = callerCredentialOf(event);
  if (!issued || !parent) return;
  const attrs = { roleArn: issued.roleArn, sessionName: issued.sessionName, via: 'chained', issuedAt: event.time, [DERIVED_FROM]: parent };
  const edges: string[] = [];
  if (issued.accessKeyId) {
    const key = nodeKey.accessKey(issued.accessKeyId);
    edges.push(key);
    facts.push({ key, time: event.time, eventId: event.eventId, edges: [issued.session] });
  }
  facts.push({ key: issued.session, time: event.time, eventId: event.eventId, attrs, edges });
  if (parent.startsWith('session|')) facts.push({ key: parent, time: event.time, eventId: event.eventId, edges: [issued.session] });
}

/** Calls that hand out an access key of their own: a user's long-term key, an IAM user's session or federation token. */
const DERIVED_KEY_CALLS = new Set(['CreateAccessKey', 'GetSessionToken', 'GetFederationToken']);

/** The new key remembers the credential that created it; its secret is never in CloudTrail, its id is. */
function derivedKeyFacts(event: CloudTrailEvent, facts: Fact[]): void {
  const parent = callerCredentialOf(event);
  const created = event.eventName === 'CreateAccessKey' ? asObject(event.responseElements?.accessKey) : asObject(event.responseElements?.credentials);
  const accessKeyId = str(created?.accessKeyId);
  if (!parent || !accessKeyId || accessKeyId === event.identity.accessKeyId) return;
  const attrs: Record<string, string> = { [DERIVED_FROM]: parent, derivedBy: event.eventName };
  const userName = str(created?.userName) ?? str(asObject(event.responseElements?.federatedUser)?.arn);
  if (userName) attrs.principal = userName;
  facts.push({ key: nodeKey.accessKey(accessKeyId), time: event.time, eventId: event.eventId, attrs });
}

/** The caller's credential as a graph node: its role session, else its access key. */
function callerCredentialOf(event: CloudTrailEvent): string | undefined {
  const session = sessionKeyOf(event);
  if (session) return session;
  return event.identity.accessKeyId ? nodeKey.accessKey(event.identity.accessKeyId) : undefined;
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
    // One service account's token, however often exchanged, is one workload: it never teaches egress alone.
    learnEgress(event, binding, facts);
  }
  // Only an EKS service account's token is IRSA; GitHub Actions or another OIDC provider's is a web identity, not a pod's.
  issueFacts(event, issued, account ? 'irsa' : 'web-identity', edges, facts);
}

function podIdentityFacts(event: CloudTrailEvent, clusters: Pick<ClusterScope, 'idOf'>, facts: Fact[]): void {
  const issued = issuedSession(event);
  if (!issued) return;
  const tags: Record<string, string> = {};
  for (const tag of asArray(event.requestParameters?.tags)) {
    if (str(tag.key) && str(tag.value)) tags[str(tag.key)!] = str(tag.value)!;
  }
  // The call is logged in the cluster's account; the cluster ARN tag says so too.
  const clusterAccount = tags['eks-cluster-arn']?.split(':')[4] || event.accountId;
  const cluster = tags['eks-cluster-name'] ? clusters.idOf(tags['eks-cluster-name'], clusterAccount) : undefined;
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
  // An association created with session tags disabled issues sessions no tag-scoped deny matches.
  issueFacts(event, issued, 'pod-identity', edges, facts, { podTags: edges.length > 0 });
}

function issueFacts(event: CloudTrailEvent, issued: IssuedSession, via: string, edges: string[], facts: Fact[], extra: Record<string, boolean> = {}): void {
  const attrs = { roleArn: issued.roleArn, sessionName: issued.sessionName, via, issuedAt: event.time, ...extra };
  if (issued.accessKeyId) {
    const key = nodeKey.accessKey(issued.accessKeyId);
    edges.push(key);
    facts.push({ key, time: event.time, eventId: event.eventId, edges: [issued.session] });
  }
  facts.push({ key: issued.session, time: event.time, eventId: event.eventId, attrs, edges });
}

/**
 * A source that issued credentials to a workload is a candidate cluster egress: the egress node
 * records which workload (an IRSA service account binding, a node's instance), so that learning
 * counts workloads, which a thief of one token cannot multiply, not sessions, which they can.
 */
function learnEgress(event: CloudTrailEvent, workload: string, facts: Fact[]): void {
  const source = callSourceOf(event);
  if (!source) return;
  facts.push({ key: nodeKey.egress(source), time: event.time, eventId: event.eventId, edges: [workload] });
}
