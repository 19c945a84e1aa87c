import { MICROS_PER_SECOND } from './clock.ts';
import type { Deployment, Pod } from './cluster-model.ts';
import { bindPod, createPod, deletePod, evictPod, updateEndpointSlice } from './control-plane-requests.ts';
import { finalDelete, getMounted, podStatus, tokenRequest } from './kubelet-requests.ts';
import { onPodBound, onPodRunning } from './aws-activity.ts';
import type { World } from './world.ts';

/**
 * One pod's life as the API server sees it, each request a scheduled step:
 * create (replicaset-controller) -> binding (scheduler) -> tokens, mounted secret and
 * configmap, status patches (kubelet) -> endpoints; and on the way out: delete or
 * eviction -> final status -> the kubelet's grace-0 delete.
 * Every step first checks the pod is still where the step expects it.
 */

const ms = (millis: number): number => millis * 1000;

export function startPod(world: World, deployment: Deployment, at: number, onRunning?: (now: number) => void): void {
  world.k8s.schedule(at, (now) => {
    const pod = world.model.createPod(deployment, now);
    pod.onRunning = onRunning;
    world.k8s.schedule(now + ms(20 + world.rng.int(400)), (t) => bind(world, pod, t));
    return createPod(world, pod, now);
  });
}

function bind(world: World, pod: Pod, now: number): string | undefined {
  if (pod.state !== 'pending') return undefined;
  const node = world.model.schedulableNode();
  world.model.bind(pod, node);
  const { rng, k8s } = world;
  const { secretName, configMapName, irsaRole } = pod.deployment;
  const alive = (step: (t: number) => string) => (t: number) => (pod.state === 'bound' ? step(t) : undefined);
  let t = now + ms(300 + rng.int(700));
  k8s.schedule(
    t,
    alive((s) => tokenRequest(world, pod, s)),
  );
  if (irsaRole)
    k8s.schedule(
      (t += ms(40 + rng.int(100))),
      alive((s) => tokenRequest(world, pod, s)),
    );
  if (secretName)
    k8s.schedule(
      (t += ms(30 + rng.int(200))),
      alive((s) => getMounted(world, pod, 'secrets', secretName, s)),
    );
  if (configMapName) {
    k8s.schedule(
      (t += ms(30 + rng.int(200))),
      alive((s) => getMounted(world, pod, 'configmaps', configMapName, s)),
    );
  }
  k8s.schedule(
    (t += ms(200 + rng.int(1500))),
    alive((s) => podStatus(world, pod, 'creating', s)),
  );
  k8s.schedule(t + ms(3000 + rng.int(20_000)), (s) => run(world, pod, s));
  onPodBound(world, pod, now);
  return bindPod(world, pod, node, now);
}

function run(world: World, pod: Pod, now: number): string | undefined {
  if (pod.state !== 'bound') return undefined;
  world.model.markRunning(pod);
  pod.startedMicros = now - ms(500 + world.rng.int(3000));
  world.k8s.schedule(now + ms(200 + world.rng.int(1300)), (t) => updateEndpointSlice(world, pod.deployment, t));
  onPodRunning(world, pod, now);
  const waiting = pod.onRunning;
  pod.onRunning = undefined;
  waiting?.(now);
  return podStatus(world, pod, 'running', now);
}

/**
 * Graceful deletion, by the replicaset-controller (rollout) or by an eviction (drain).
 * An evicted pod is replaced at once by its ReplicaSet.
 */
export function stopPod(world: World, pod: Pod, at: number, by: 'replicaset' | 'eviction', onGone?: (now: number) => void): void {
  world.k8s.schedule(at, (now) => {
    if (pod.state === 'terminating' || pod.state === 'gone') return undefined;
    const wasScheduled = pod.node !== undefined;
    world.model.terminate(pod);
    const line = by === 'eviction' ? evictPod(world, pod, now) : deletePod(world, pod, now);
    if (by === 'eviction') {
      startPod(world, pod.deployment, now + ms(30 + world.rng.int(300)), pod.onRunning);
      pod.onRunning = undefined;
    }
    if (!wasScheduled) {
      world.model.remove(pod);
      onGone?.(now);
      return line;
    }
    const deletionMicros = now + 30 * MICROS_PER_SECOND;
    world.k8s.schedule(now + ms(100 + world.rng.int(900)), (t) => updateEndpointSlice(world, pod.deployment, t));
    const stopped = now + ms(1000 + world.rng.int(25_000));
    // A pod deleted before its container ever started has no final container status to report.
    if (pod.startedMicros > 0) world.k8s.schedule(stopped, (t) => podStatus(world, pod, 'completed', t));
    world.k8s.schedule(stopped + ms(100 + world.rng.int(900)), (t) => {
      const last = finalDelete(world, pod, t, deletionMicros);
      world.model.remove(pod);
      onGone?.(t);
      return last;
    });
    return line;
  });
}
