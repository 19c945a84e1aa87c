import { KUBECTL_CI_AGENT, KUBECTL_DEV_AGENT, auditLine, roleBindingReason } from './audit.ts';
import type { Deployment } from './cluster-model.ts';
import type { Human } from './k8s-actors.ts';
import { deploymentObject, setImagePatch } from './k8s-objects.ts';
import { fieldSelector, watchTimeout, watchUri, type World } from './world.ts';

/**
 * Humans and CI. Developers only read in `dev` and `staging` and occasionally exec into
 * a `dev` pod (their RoleBinding grants edit there, view in staging). The CI deployer
 * patches Deployment images in the namespaces it deploys to.
 */

export const DEVELOPER_NAMESPACES = ['dev', 'staging'] as const;

const byNamespace = new WeakMap<World, Map<string, Deployment[]>>();

function deploymentsIn(world: World, namespace: string): Deployment[] {
  let index = byNamespace.get(world);
  if (!index) {
    index = new Map();
    for (const deployment of world.model.deployments) {
      const list = index.get(deployment.namespace) ?? [];
      list.push(deployment);
      index.set(deployment.namespace, list);
    }
    byNamespace.set(world, index);
  }
  return index.get(namespace) ?? [];
}

function developerReason(namespace: string): string {
  return roleBindingReason('developers', namespace, namespace === 'dev' ? 'edit' : 'view', 'Group "developers"');
}

const READS: readonly (readonly [string, string, string?])[] = [
  ['pods', '/api/v1'],
  ['pods', '/api/v1'],
  ['services', '/api/v1'],
  ['configmaps', '/api/v1'],
  ['events', '/api/v1'],
  ['deployments', '/apis/apps/v1', 'apps'],
  ['replicasets', '/apis/apps/v1', 'apps'],
];

/** One kubectl request from a developer. */
export function developerRequest(world: World, now: number): string {
  const rng = world.rng;
  const dev: Human = rng.pick(world.actors.developers);
  const namespace = rng.pick(DEVELOPER_NAMESPACES);
  const deployment = rng.pick(deploymentsIn(world, namespace));
  const pod = deployment.pods.at(rng.int(deployment.pods.size));
  const base = { user: dev.user, sourceIp: dev.sourceIp, userAgent: KUBECTL_DEV_AGENT, reason: developerReason(namespace) };
  const roll = rng.next();
  if (pod && pod.state === 'running' && namespace === 'dev' && roll < 0.03) {
    const container = deployment.name;
    return auditLine(rng, now, {
      ...base,
      level: 'RequestResponse',
      verb: 'create',
      uri: `/api/v1/namespaces/dev/pods/${pod.name}/exec?command=sh&container=${container}&stdin=true&stdout=true&tty=true`,
      objectRef: { resource: 'pods', namespace, name: pod.name, apiVersion: 'v1', subresource: 'exec' },
      code: 101,
      durationMicros: rng.intBetween(20, 900) * 1_000_000,
    });
  }
  if (pod && roll < 0.15) {
    return auditLine(rng, now, {
      ...base,
      level: 'Request',
      verb: 'get',
      uri: `/api/v1/namespaces/${namespace}/pods/${pod.name}/log?container=${deployment.name}&tailLines=200`,
      objectRef: { resource: 'pods', namespace, name: pod.name, apiVersion: 'v1', subresource: 'log' },
      code: 200,
    });
  }
  const [resource, prefix, apiGroup] = rng.pick(READS);
  const single = resource === 'pods' && pod && roll < 0.45;
  const name = single ? pod.name : resource === 'deployments' && roll < 0.5 ? deployment.name : undefined;
  return auditLine(rng, now, {
    ...base,
    level: 'Request',
    verb: name ? 'get' : 'list',
    uri: name ? `${prefix}/namespaces/${namespace}/${resource}/${name}` : `${prefix}/namespaces/${namespace}/${resource}?limit=500`,
    objectRef: { resource, namespace, name, apiGroup, apiVersion: 'v1' },
    code: 200,
  });
}

function ciReason(namespace: string): string {
  return roleBindingReason('ci-deployer', namespace, 'edit', 'User "ci-deployer"');
}

const deploymentRef = (deployment: Deployment) => ({
  resource: 'deployments',
  namespace: deployment.namespace,
  name: deployment.name,
  apiGroup: 'apps',
  apiVersion: 'v1',
});

export function ciGetDeployment(world: World, runner: Human, deployment: Deployment, now: number): string {
  return auditLine(world.rng, now, {
    level: 'Request',
    verb: 'get',
    uri: `/apis/apps/v1/namespaces/${deployment.namespace}/deployments/${deployment.name}`,
    user: runner.user,
    sourceIp: runner.sourceIp,
    userAgent: KUBECTL_CI_AGENT,
    objectRef: deploymentRef(deployment),
    code: 200,
    reason: ciReason(deployment.namespace),
  });
}

/** `kubectl set image`: the new tag is already on `deployment`. */
export function ciPatchImage(world: World, runner: Human, deployment: Deployment, now: number): string {
  return auditLine(world.rng, now, {
    level: 'RequestResponse',
    verb: 'patch',
    uri: `/apis/apps/v1/namespaces/${deployment.namespace}/deployments/${deployment.name}?fieldManager=kubectl-set`,
    user: runner.user,
    sourceIp: runner.sourceIp,
    userAgent: KUBECTL_CI_AGENT,
    objectRef: deploymentRef(deployment),
    code: 200,
    requestObject: setImagePatch(deployment),
    responseObject: deploymentObject(deployment, world.model.nextResourceVersion(), deployment.revision),
    reason: ciReason(deployment.namespace),
  });
}

/** `kubectl rollout status` follows the Deployment until the rollout completes. */
export function ciWatchRollout(world: World, runner: Human, deployment: Deployment, now: number): string {
  const timeout = watchTimeout(world);
  return auditLine(world.rng, now, {
    level: 'Request',
    verb: 'watch',
    uri: watchUri(world, `/apis/apps/v1/namespaces/${deployment.namespace}/deployments`, timeout, fieldSelector(`metadata.name=${deployment.name}`)),
    user: runner.user,
    sourceIp: runner.sourceIp,
    userAgent: KUBECTL_CI_AGENT,
    objectRef: { ...deploymentRef(deployment), name: undefined },
    code: 200,
    reason: ciReason(deployment.namespace),
    durationMicros: world.rng.intBetween(60, 240) * 1_000_000,
  });
}
