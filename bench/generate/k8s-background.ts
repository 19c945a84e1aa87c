import { utcHour } from './clock.ts';
import type { Node } from './cluster-model.ts';
import {
  autoscalerLoop,
  awsNodeGetNode,
  controllerWatch,
  corednsRequest,
  getDeletedPod,
  kubeProxyWatch,
  leaderLeaseRenew,
  replicaSetStatus,
  updateEndpointSlice,
} from './control-plane-requests.ts';
import { kubeletWatch, leaseRenew, nodeHeartbeat, tokenRequest } from './kubelet-requests.ts';
import { developerRequest } from './people-requests.ts';
import type { World } from './world.ts';

/**
 * The steady hum between scheduled events, drawn by weight: mostly kubelet heartbeats
 * and control-plane leases, then informer watches, add-ons and a few humans.
 */

type Draw = (world: World, now: number) => string | undefined;

const someNode = (world: World): Node => world.model.randomNode();

const DRAWS: readonly (readonly [number, Draw])[] = [
  [30, (w, now) => leaseRenew(w, someNode(w), now)],
  [8, (w, now) => nodeHeartbeat(w, someNode(w), now)],
  [7, (w, now) => kubeletWatch(w, someNode(w), now)],
  // Projected service-account tokens are refreshed at 80% of their one-hour life.
  [
    4,
    (w, now) => {
      const node = someNode(w);
      const pod = node.pods.at(w.rng.int(node.pods.size));
      return pod && pod.state === 'running' ? tokenRequest(w, pod, now) : undefined;
    },
  ],
  [9, leaderLeaseRenew],
  [6, controllerWatch],
  [4, (w, now) => updateEndpointSlice(w, w.rng.pick(w.model.deployments), now)],
  [3, (w, now) => replicaSetStatus(w, w.rng.pick(w.model.deployments), now)],
  [1.2, getDeletedPod],
  [5, corednsRequest],
  [4, (w, now) => kubeProxyWatch(w, someNode(w), now)],
  [3, (w, now) => awsNodeGetNode(w, someNode(w), now)],
  [4, autoscalerLoop],
  // Developers work roughly 13:00-23:00 UTC; at night only a trickle.
  [5, (w, now) => (isWorkingHour(now) || w.rng.chance(0.1) ? developerRequest(w, now) : undefined)],
];

const TOTAL = DRAWS.reduce((sum, [weight]) => sum + weight, 0);

function isWorkingHour(now: number): boolean {
  const hour = utcHour(now);
  return hour >= 13 && hour < 23;
}

export function k8sBackground(world: World, now: number): string {
  let point = world.rng.next() * TOTAL;
  for (const [weight, draw] of DRAWS) {
    point -= weight;
    if (point < 0) {
      const line = draw(world, now);
      if (line !== undefined) return line;
      break;
    }
  }
  // Whatever was drawn had nothing to say: a lease renewal always does.
  return leaseRenew(world, someNode(world), now);
}
