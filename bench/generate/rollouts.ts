import { MICROS_PER_HOUR } from './clock.ts';
import type { Deployment, Pod } from './cluster-model.ts';
import { createReplicaSet, deploymentStatus, scaleReplicaSet } from './control-plane-requests.ts';
import { ciGetDeployment, ciPatchImage, ciWatchRollout } from './people-requests.ts';
import { startPod, stopPod } from './pod-lifecycle.ts';
import type { World } from './world.ts';

/**
 * CI ships a new image tag to each Deployment every 4-12 hours; the deployment-controller
 * then rolls pods one at a time (maxSurge 1, maxUnavailable 0): start a new pod, wait
 * until it runs, retire one old pod, repeat.
 */

const ms = (millis: number): number => millis * 1000;

function nextRolloutDelay(world: World): number {
  return Math.floor(world.rng.between(4, 12) * MICROS_PER_HOUR);
}

export function scheduleRollouts(world: World, start: number): void {
  for (const deployment of world.model.appDeployments) {
    scheduleRollout(world, deployment, start + world.rng.int(8 * MICROS_PER_HOUR));
  }
}

function scheduleRollout(world: World, deployment: Deployment, at: number): void {
  world.k8s.schedule(at, (now) => {
    if (deployment.rolloutActive) {
      scheduleRollout(world, deployment, now + nextRolloutDelay(world));
      return undefined;
    }
    const runner = world.rng.pick(world.actors.ci);
    world.k8s.schedule(now + ms(800 + world.rng.int(2500)), (t) => {
      world.model.newRevision(deployment);
      deployment.rolloutActive = true;
      world.k8s.schedule(t + ms(30 + world.rng.int(80)), (s) => createReplicaSet(world, deployment, s));
      world.k8s.schedule(t + ms(600 + world.rng.int(900)), (s) => ciWatchRollout(world, runner, deployment, s));
      world.k8s.schedule(t + ms(150 + world.rng.int(300)), (s) => replaceNext(world, deployment, s));
      return ciPatchImage(world, runner, deployment, t);
    });
    return ciGetDeployment(world, runner, deployment, now);
  });
}

function oldPod(deployment: Deployment): Pod | undefined {
  return deployment.pods.values().find((pod) => pod.rsHash !== deployment.rsHash && !pod.retiring && (pod.state === 'running' || pod.state === 'bound'));
}

function countOf(deployment: Deployment, hash: string): number {
  let count = 0;
  for (const pod of deployment.pods.values()) if (pod.rsHash === hash && pod.state !== 'terminating') count++;
  return count;
}

function replaceNext(world: World, deployment: Deployment, now: number): string | undefined {
  const old = oldPod(deployment);
  if (!old) {
    deployment.rolloutActive = false;
    scheduleRollout(world, deployment, now + nextRolloutDelay(world));
    return deploymentStatus(world, deployment, now, deployment.revision);
  }
  old.retiring = true;
  const current = { hash: deployment.rsHash, uid: deployment.rsUid, tag: deployment.tag, revision: deployment.revision };
  const previous = { hash: old.rsHash, uid: old.rsUid, tag: old.tag, revision: deployment.revision - 1 };
  startPod(world, deployment, now + ms(40 + world.rng.int(200)), (running) => {
    world.k8s.schedule(running + ms(300 + world.rng.int(800)), (t) =>
      scaleReplicaSet(world, deployment, previous, Math.max(0, countOf(deployment, previous.hash) - 1), t),
    );
    stopPod(world, old, running + ms(500 + world.rng.int(1000)), 'replicaset');
    world.k8s.schedule(running + ms(1500 + world.rng.int(4000)), (t) => replaceNext(world, deployment, t));
  });
  return scaleReplicaSet(world, deployment, current, countOf(deployment, current.hash) + 1, now);
}
