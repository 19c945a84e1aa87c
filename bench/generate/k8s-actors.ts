import type { AwsAccount } from './aws-account.ts';
import {
  AUTOSCALER_AGENT,
  CLOUD_CONTROLLER_AGENT,
  COREDNS_AGENT,
  KCM_SELF_AGENT,
  KUBE_CONTROLLER_MANAGER,
  KUBE_PROXY_AGENT,
  KUBE_SCHEDULER,
  SCHEDULER_AGENT,
  clusterRoleReason,
  controllerIdentity,
  iamMappedUser,
  serviceAccountUser,
  type AuditUser,
  type ControllerIdentity,
} from './audit.ts';
import type { Prng } from './prng.ts';

/**
 * Everyone who talks to the API server, built once so their uids stay stable: the
 * control plane, add-ons, two dozen developers' worth of humans and the CI deployer.
 */

export interface Human {
  user: AuditUser;
  sourceIp: string;
}

export interface K8sActors {
  replicaset: ControllerIdentity;
  deployment: ControllerIdentity;
  endpointslice: ControllerIdentity;
  endpoint: ControllerIdentity;
  garbageCollector: ControllerIdentity;
  controllerManager: ControllerIdentity;
  scheduler: ControllerIdentity;
  cloudController: ControllerIdentity;
  coredns: ControllerIdentity;
  kubeProxy: ControllerIdentity;
  awsNode: ControllerIdentity;
  autoscaler: ControllerIdentity;
  developers: Human[];
  ci: Human[];
}

const DEVELOPERS = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
const DEVELOPER_VPN_IPS = ['198.51.100.23', '198.51.100.24'];
const CI_RUNNER_IPS = ['192.0.2.44', '192.0.2.45', '192.0.2.46'];

function addOn(rng: Prng, name: string, binding: string, role: string, userAgent: string): ControllerIdentity {
  return {
    user: serviceAccountUser(rng, 'kube-system', name),
    userAgent,
    reason: clusterRoleReason(binding, role, `ServiceAccount "${name}/kube-system"`),
  };
}

export function buildActors(rng: Prng, account: AwsAccount): K8sActors {
  return {
    replicaset: controllerIdentity(rng, 'replicaset-controller'),
    deployment: controllerIdentity(rng, 'deployment-controller'),
    endpointslice: controllerIdentity(rng, 'endpointslice-controller'),
    endpoint: controllerIdentity(rng, 'endpoint-controller'),
    garbageCollector: controllerIdentity(rng, 'generic-garbage-collector'),
    controllerManager: {
      user: KUBE_CONTROLLER_MANAGER,
      userAgent: KCM_SELF_AGENT,
      reason: clusterRoleReason('system:kube-controller-manager', 'system:kube-controller-manager', 'User "system:kube-controller-manager"'),
    },
    scheduler: {
      user: KUBE_SCHEDULER,
      userAgent: SCHEDULER_AGENT,
      reason: clusterRoleReason('system:kube-scheduler', 'system:kube-scheduler', 'User "system:kube-scheduler"'),
    },
    cloudController: {
      user: { username: 'eks:cloud-controller-manager', groups: ['system:authenticated'] },
      userAgent: CLOUD_CONTROLLER_AGENT,
      reason: clusterRoleReason('eks:cloud-controller-manager', 'eks:cloud-controller-manager', 'User "eks:cloud-controller-manager"'),
    },
    coredns: addOn(rng, 'coredns', 'system:coredns', 'system:coredns', COREDNS_AGENT),
    kubeProxy: addOn(rng, 'kube-proxy', 'eks:kube-proxy', 'system:node-proxier', KUBE_PROXY_AGENT),
    awsNode: addOn(rng, 'aws-node', 'aws-node', 'aws-node', 'aws-vpc-cni-k8s/v1.18.5 (linux/amd64) kubernetes/$Format'),
    autoscaler: addOn(rng, 'cluster-autoscaler', 'cluster-autoscaler', 'cluster-autoscaler', AUTOSCALER_AGENT),
    developers: DEVELOPERS.map((name, i) => ({
      user: iamMappedUser(account, `dev-${name}`, ['developers', 'system:authenticated'], 'developer', name),
      sourceIp: DEVELOPER_VPN_IPS[i % DEVELOPER_VPN_IPS.length] as string,
    })),
    ci: CI_RUNNER_IPS.map((sourceIp) => ({
      user: iamMappedUser(account, 'ci-deployer', ['system:authenticated'], 'ci-deployer', 'GitHubActions'),
      sourceIp,
    })),
  };
}
