import { ACCOUNT_ID, type AwsAccount } from './aws-account.ts';
import { isoMicros } from './clock.ts';
import type { Node } from './cluster-model.ts';
import type { Failure } from './k8s-objects.ts';
import type { Prng } from './prng.ts';

/**
 * Raw `audit.k8s.io/v1` Events as EKS writes them to CloudWatch Logs, and the users
 * that appear in them. Levels follow the EKS/GCE audit policy: get/list/watch at Request,
 * secrets/configmaps/tokens at Metadata, status patches from nodes at Request, other
 * writes at RequestResponse.
 */

export type AuditLevel = 'Metadata' | 'Request' | 'RequestResponse';

export interface AuditUser {
  username: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface ObjectRef {
  resource: string;
  namespace?: string | undefined;
  name?: string | undefined;
  apiGroup?: string | undefined;
  apiVersion: string;
  subresource?: string | undefined;
}

export interface AuditRequest {
  level: AuditLevel;
  verb: string;
  uri: string;
  user: AuditUser;
  sourceIp: string;
  userAgent: string;
  objectRef: ObjectRef;
  /** HTTP status on success; ignored when `failure` is set. */
  code?: number;
  /** Subresources answering with a Status object (binding, eviction) also log status "Success". */
  statusSuccess?: boolean;
  failure?: Failure | undefined;
  requestObject?: unknown;
  responseObject?: unknown;
  /** RBAC reason, or '' when the Node authorizer allowed it. */
  reason: string;
  durationMicros?: number;
  /** Extra annotations (admission, pod security, token ids); sorted with the rest. */
  annotations?: Record<string, string>;
}

export function auditLine(rng: Prng, receivedMicros: number, request: AuditRequest): string {
  const failure = request.failure;
  const responseStatus = failure
    ? {
        metadata: {},
        status: 'Failure',
        message: failure.message,
        reason: failure.reason,
        details: failure.details,
        code: failure.code,
      }
    : request.statusSuccess
      ? { metadata: {}, status: 'Success', code: request.code ?? 200 }
      : { metadata: {}, code: request.code ?? 200 };
  const decision = {
    'authorization.k8s.io/decision': 'allow',
    'authorization.k8s.io/reason': request.reason,
  };
  const event = {
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: request.level,
    auditID: rng.uuid(),
    stage: 'ResponseComplete',
    requestURI: request.uri,
    verb: request.verb,
    user: request.user,
    sourceIPs: [request.sourceIp],
    userAgent: request.userAgent,
    objectRef: request.objectRef,
    responseStatus,
    requestObject: request.requestObject,
    responseObject: request.responseObject,
    requestReceivedTimestamp: isoMicros(receivedMicros),
    stageTimestamp: isoMicros(receivedMicros + (request.durationMicros ?? 900 + rng.int(14_000))),
    annotations: request.annotations ? sortedAnnotations({ ...request.annotations, ...decision }) : decision,
  };
  return JSON.stringify(event);
}

/** Go marshals map keys in sorted order, so annotations come out alphabetically. */
function sortedAnnotations(annotations: Record<string, string>): Record<string, string> {
  const sorted: Record<string, string> = {};
  for (const key of Object.keys(annotations).sort()) sorted[key] = annotations[key] as string;
  return sorted;
}

// ---- Authorization reasons -------------------------------------------------------------

export function clusterRoleReason(binding: string, role: string, subject: string): string {
  return `RBAC: allowed by ClusterRoleBinding "${binding}" of ClusterRole "${role}" to ${subject}`;
}

export function roleBindingReason(binding: string, namespace: string, role: string, subject: string): string {
  return `RBAC: allowed by RoleBinding "${binding}/${namespace}" of ClusterRole "${role}" to ${subject}`;
}

export function controllerReason(controller: string): string {
  return clusterRoleReason(`system:controller:${controller}`, `system:controller:${controller}`, `ServiceAccount "${controller}/kube-system"`);
}

// ---- Users -------------------------------------------------------------------------------

export const K8S_VERSION = 'v1.31.4';
const K8S_COMMIT = 'a78aa47';
export const KUBELET_AGENT = `kubelet/v1.31.3-eks-59bf375 (linux/amd64) kubernetes/59bf375`;
const KCM_AGENT = `kube-controller-manager/${K8S_VERSION}-eks-0c5a0e3 (linux/amd64) kubernetes/0c5a0e3`;
export const SCHEDULER_AGENT = `kube-scheduler/${K8S_VERSION}-eks-0c5a0e3 (linux/amd64) kubernetes/0c5a0e3/scheduler`;
export const KUBECTL_DEV_AGENT = `kubectl/v1.31.2 (darwin/arm64) kubernetes/5864a46`;
export const KUBECTL_CI_AGENT = `kubectl/v1.31.2 (linux/amd64) kubernetes/5864a46`;
export const COREDNS_AGENT = 'coredns/v0.0.0 (linux/amd64) kubernetes/$Format';
export const KUBE_PROXY_AGENT = `kube-proxy/v1.31.3 (linux/amd64) kubernetes/${K8S_COMMIT}`;
export const AUTOSCALER_AGENT = 'cluster-autoscaler/v0.0.0 (linux/amd64) kubernetes/$Format';
export const CLOUD_CONTROLLER_AGENT = 'aws-cloud-controller-manager/v0.0.0 (linux/amd64) kubernetes/$Format/cloud-node-lifecycle-controller';

/** The EKS control plane's addresses as seen by the API server. */
export const CONTROL_PLANE_IPS = ['172.16.62.141', '172.16.97.18'];

const SA_GROUPS_KUBE_SYSTEM = ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'];

export interface ControllerIdentity {
  user: AuditUser;
  userAgent: string;
  reason: string;
}

/** kube-controller-manager controllers each run with their own service account. */
export function controllerIdentity(rng: Prng, controller: string): ControllerIdentity {
  const username = `system:serviceaccount:kube-system:${controller}`;
  return {
    user: { username, uid: rng.uuid(), groups: SA_GROUPS_KUBE_SYSTEM },
    userAgent: `${KCM_AGENT}/${username}`,
    reason: controllerReason(controller),
  };
}

export function serviceAccountUser(rng: Prng, namespace: string, name: string): AuditUser {
  return {
    username: `system:serviceaccount:${namespace}:${name}`,
    uid: rng.uuid(),
    groups: ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'],
  };
}

export const KUBE_CONTROLLER_MANAGER: AuditUser = {
  username: 'system:kube-controller-manager',
  groups: ['system:authenticated'],
};
export const KUBE_SCHEDULER: AuditUser = { username: 'system:kube-scheduler', groups: ['system:authenticated'] };
export const KCM_SELF_AGENT = `${KCM_AGENT}/leader-election`;

/**
 * EKS authenticates IAM principals through aws-iam-authenticator: the uid and `extra`
 * name the assumed role; for kubelets it is the node instance role with the instance id
 * as session name and the instance-profile access key.
 */
export function iamMappedUser(account: AwsAccount, username: string, groups: string[], roleName: string, sessionName: string, accessKeyId?: string): AuditUser {
  const roleId = account.roleId(roleName);
  const extra: Record<string, string[]> = {};
  if (accessKeyId) extra.accessKeyId = [accessKeyId];
  extra.arn = [`arn:aws:sts::${ACCOUNT_ID}:assumed-role/${roleName}/${sessionName}`];
  extra.canonicalArn = [`arn:aws:iam::${ACCOUNT_ID}:role/${roleName}`];
  extra.principalId = [roleId];
  extra.sessionName = [sessionName];
  extra['sigs.k8s.io/aws-iam-authenticator/principalId'] = [roleId];
  return { username, uid: `aws-iam-authenticator:${ACCOUNT_ID}:${roleId}`, groups, extra };
}

const NODE_GROUPS = ['system:bootstrappers', 'system:nodes', 'system:authenticated'];

/** Built once per node and instance-credential rotation: kubelets are the busiest users. */
const kubeletUsers = new WeakMap<Node, { accessKeyId: string | undefined; user: AuditUser }>();

export function kubeletUser(account: AwsAccount, node: Node): AuditUser {
  const accessKeyId = node.creds?.accessKeyId;
  const cached = kubeletUsers.get(node);
  if (cached && cached.accessKeyId === accessKeyId) return cached.user;
  const user = iamMappedUser(account, `system:node:${node.name}`, NODE_GROUPS, `${account.cluster}-node-role`, node.instanceId, accessKeyId);
  kubeletUsers.set(node, { accessKeyId, user });
  return user;
}
