import { ACCOUNT_ID } from './aws-account.ts';
import { type AuditRequest, type AuditUser, auditLine, clusterRoleReason, iamMappedUser, serviceAccountUser } from './audit.ts';
import { MICROS_PER_HOUR, MICROS_PER_MINUTE, isoSeconds } from './clock.ts';
import type { Prng } from './prng.ts';
import { watchUri, type World } from './world.ts';

/**
 * The platform's own tools in the Kubernetes audit log, each doing what makes a single-record
 * rule look twice: kube-state-metrics and cert-manager list and watch secrets in every namespace,
 * ArgoCD syncs the RBAC kept in Git (a wildcard ClusterRole, a binding to cluster-admin), and a
 * platform administrator runs `helm upgrade --install` of metrics-server into kube-system once a
 * working day. They draw from their own random stream, so adding them moves nothing else's draws.
 */

interface InClusterController {
  user: AuditUser;
  userAgent: string;
  reason: string;
  /** The controller pod's own address: controllers call the API server from inside the VPC. */
  podIp: string;
}

/** The platform team's access entry: an IAM role mapped to a Kubernetes group bound to cluster-admin. */
export const PLATFORM_ADMIN_GROUP = 'platform-admins';
const PLATFORM_ADMIN_ROLE = 'PlatformAdmin';
const PLATFORM_ADMIN_VPN_IP = '198.51.100.30';
const HELM_AGENT = 'Helm/3.16.2';
const ARGOCD_AGENT = 'argocd-application-controller/v2.13.2+dc43124 (linux/amd64) kubernetes/$Format';

function controller(rng: Prng, namespace: string, name: string, userAgent: string, podIp: string): InClusterController {
  return {
    user: serviceAccountUser(rng, namespace, name),
    userAgent,
    reason: clusterRoleReason(name, name, `ServiceAccount "${name}/${namespace}"`),
    podIp,
  };
}

export function schedulePlatformControllers(world: World, start: number, rng: Prng): void {
  const kubeStateMetrics = controller(
    rng,
    'kube-state-metrics',
    'kube-state-metrics',
    'kube-state-metrics/v2.14.0 (linux/amd64) kubernetes/$Format',
    '10.0.12.34',
  );
  const certManager = controller(rng, 'cert-manager', 'cert-manager', 'cert-manager/v1.16.2 (linux/amd64) cert-manager/2a9c4c2', '10.0.40.7');
  const argocd = controller(rng, 'argocd', 'argocd-application-controller', ARGOCD_AGENT, '10.0.21.9');
  const admin = iamMappedUser(
    world.account,
    `arn:aws:sts::${ACCOUNT_ID}:assumed-role/${PLATFORM_ADMIN_ROLE}/alice`,
    [PLATFORM_ADMIN_GROUP, 'system:authenticated'],
    PLATFORM_ADMIN_ROLE,
    'alice',
  );

  for (const informer of [kubeStateMetrics, certManager]) {
    world.k8s.schedule(start + rng.int(2 * MICROS_PER_MINUTE), (now) => {
      world.k8s.schedule(now + rng.intBetween(200, 900) * 1000, (t) => watchSecrets(world, rng, informer, t));
      return listSecrets(rng, informer, now);
    });
  }
  scheduleArgoSync(world, rng, argocd, start + Math.floor(rng.between(1, 8) * MICROS_PER_HOUR));
  scheduleHelmRun(world, rng, admin, nextWorkingHour(start, rng), 1);
}

// ---- Informers: one cluster-wide list, then watches renewed as each times out ----------------

const SECRETS = { resource: 'secrets', apiVersion: 'v1' };

function listSecrets(rng: Prng, informer: InClusterController, now: number): string {
  return auditLine(rng, now, {
    ...identity(informer),
    level: 'Metadata',
    verb: 'list',
    uri: '/api/v1/secrets?limit=500&resourceVersion=0',
    objectRef: SECRETS,
    code: 200,
  });
}

function watchSecrets(world: World, rng: Prng, informer: InClusterController, now: number): string {
  const timeout = rng.intBetween(300, 599);
  world.k8s.schedule(now + timeout * 1_000_000, (t) => watchSecrets(world, rng, informer, t));
  return auditLine(rng, now, {
    ...identity(informer),
    level: 'Metadata',
    verb: 'watch',
    uri: watchUri(world, '/api/v1/secrets', timeout),
    objectRef: SECRETS,
    code: 200,
    durationMicros: timeout * 1_000_000,
  });
}

function identity(informer: InClusterController): Pick<AuditRequest, 'user' | 'sourceIp' | 'userAgent' | 'reason'> {
  return { user: informer.user, sourceIp: informer.podIp, userAgent: informer.userAgent, reason: informer.reason };
}

// ---- ArgoCD: a commit to the platform-rbac repository, synced ------------------------------

const PLATFORM_OPERATOR_RULES = [
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'], verbs: ['*'] },
  { apiGroups: [''], resources: ['pods', 'services', 'configmaps'], verbs: ['get', 'list', 'watch'] },
];

function scheduleArgoSync(world: World, rng: Prng, argocd: InClusterController, at: number): void {
  world.k8s.schedule(at, (now) => {
    scheduleArgoSync(world, rng, argocd, now + Math.floor(rng.between(8, 16) * MICROS_PER_HOUR));
    world.k8s.schedule(now + rng.intBetween(80, 400) * 1000, (t) =>
      argoPatch(world, rng, argocd, t, 'clusterrolebindings', 'platform-admins', {
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: PLATFORM_ADMIN_GROUP }],
      }),
    );
    return argoPatch(world, rng, argocd, now, 'clusterroles', 'platform-operator', { rules: PLATFORM_OPERATOR_RULES });
  });
}

function argoPatch(world: World, rng: Prng, argocd: InClusterController, now: number, resource: string, name: string, body: Record<string, unknown>): string {
  const kind = resource === 'clusterroles' ? 'ClusterRole' : 'ClusterRoleBinding';
  const metadata = {
    name,
    labels: { 'app.kubernetes.io/instance': 'platform-rbac' },
    annotations: { 'argocd.argoproj.io/tracking-id': `platform-rbac:rbac.authorization.k8s.io/${kind}:/${name}` },
  };
  return auditLine(rng, now, {
    ...identity(argocd),
    level: 'RequestResponse',
    verb: 'patch',
    uri: `/apis/rbac.authorization.k8s.io/v1/${resource}/${name}?fieldManager=argocd-controller`,
    objectRef: { resource, name, apiGroup: 'rbac.authorization.k8s.io', apiVersion: 'v1' },
    code: 200,
    requestObject: { metadata: { annotations: metadata.annotations }, ...body },
    responseObject: {
      kind,
      apiVersion: 'rbac.authorization.k8s.io/v1',
      metadata: {
        ...metadata,
        uid: rng.uuid(),
        resourceVersion: world.model.nextResourceVersion(),
        creationTimestamp: isoSeconds(now - 30 * 24 * MICROS_PER_HOUR),
      },
      ...body,
    },
  });
}

// ---- Helm, run by a platform administrator ---------------------------------------------------

const RELEASE = 'metrics-server';
const KUBE_SYSTEM = 'kube-system';

function nextWorkingHour(after: number, rng: Prng): number {
  const dayStart = after - (after % (24 * MICROS_PER_HOUR));
  const today = dayStart + Math.floor(rng.between(14, 20) * MICROS_PER_HOUR);
  return today > after ? today : today + 24 * MICROS_PER_HOUR;
}

/** `helm upgrade --install`: the first run installs the chart, later runs upgrade it. */
function scheduleHelmRun(world: World, rng: Prng, admin: AuditUser, at: number, revision: number): void {
  world.k8s.schedule(at, (now) => {
    scheduleHelmRun(world, rng, admin, nextWorkingHour(now + MICROS_PER_HOUR, rng), revision + 1);
    const steps: ((t: number) => string)[] = [];
    const write = (verb: string, resource: string, name: string, apiGroup?: string, body?: unknown) =>
      steps.push((t) => helmWrite(world, rng, admin, t, verb, resource, name, apiGroup, body));
    write('create', 'secrets', `sh.helm.release.v1.${RELEASE}.v${revision}`);
    if (revision === 1) {
      write('create', 'serviceaccounts', RELEASE);
      write('create', 'clusterroles', 'system:metrics-server', 'rbac.authorization.k8s.io', {
        rules: [{ apiGroups: [''], resources: ['nodes/metrics', 'pods', 'nodes'], verbs: ['get', 'list', 'watch'] }],
      });
      write('create', 'clusterrolebindings', 'system:metrics-server', 'rbac.authorization.k8s.io', {
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:metrics-server' },
        subjects: [{ kind: 'ServiceAccount', name: RELEASE, namespace: KUBE_SYSTEM }],
      });
      write('create', 'services', RELEASE);
      write('create', 'deployments', RELEASE, 'apps');
    } else {
      write('patch', 'deployments', RELEASE, 'apps');
      write('update', 'secrets', `sh.helm.release.v1.${RELEASE}.v${revision - 1}`);
    }
    write('update', 'secrets', `sh.helm.release.v1.${RELEASE}.v${revision}`);
    let t = now;
    for (const step of steps) {
      t += rng.intBetween(30, 400) * 1000;
      world.k8s.schedule(t, step);
    }
    // Helm first reads its release history, kept in labelled secrets of the release namespace.
    return helmRequest(rng, admin, now, {
      level: 'Metadata',
      verb: 'list',
      uri: `/api/v1/namespaces/${KUBE_SYSTEM}/secrets?labelSelector=name%3D${RELEASE}%2Cowner%3Dhelm`,
      objectRef: { resource: 'secrets', namespace: KUBE_SYSTEM, apiVersion: 'v1' },
      code: 200,
    });
  });
}

function helmWrite(
  world: World,
  rng: Prng,
  admin: AuditUser,
  now: number,
  verb: string,
  resource: string,
  name: string,
  apiGroup?: string,
  body?: unknown,
): string {
  const clusterScoped = resource.startsWith('cluster');
  const namespace = clusterScoped ? undefined : KUBE_SYSTEM;
  const prefix = apiGroup ? `/apis/${apiGroup}/v1` : '/api/v1';
  const collection = `${prefix}${namespace ? `/namespaces/${namespace}` : ''}/${resource}`;
  const object = { metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'Helm' } }, ...(body as object | undefined) };
  return helmRequest(rng, admin, now, {
    level: resource === 'secrets' ? 'Metadata' : 'RequestResponse',
    verb,
    uri: verb === 'create' ? `${collection}?fieldManager=helm` : `${collection}/${name}?fieldManager=helm`,
    objectRef: { resource, namespace, name, apiGroup, apiVersion: 'v1' },
    code: verb === 'create' ? 201 : 200,
    requestObject: resource === 'secrets' ? undefined : object,
    responseObject: resource === 'secrets' ? undefined : { ...object, metadata: { ...object.metadata, resourceVersion: world.model.nextResourceVersion() } },
  });
}

function helmRequest(rng: Prng, admin: AuditUser, now: number, request: Omit<AuditRequest, 'user' | 'sourceIp' | 'userAgent' | 'reason'>): string {
  return auditLine(rng, now, {
    ...request,
    user: admin,
    sourceIp: PLATFORM_ADMIN_VPN_IP,
    userAgent: HELM_AGENT,
    reason: clusterRoleReason(PLATFORM_ADMIN_GROUP, 'cluster-admin', `Group "${PLATFORM_ADMIN_GROUP}"`),
  });
}
