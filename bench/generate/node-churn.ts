import { giveNodeCredentials } from './aws-activity.ts';
import { autoscalerSetDesiredCapacity, autoscalerTerminate } from './aws-requests.ts';
import { MICROS_PER_HOUR, MICROS_PER_MINUTE, MICROS_PER_SECOND } from './clock.ts';
import type { Node, Pod } from './cluster-model.ts';
import { deleteNode, deleteNodeLease, taintForScaleDown } from './control-plane-requests.ts';
import { leaseCreate, nodeHeartbeat, registerNode } from './kubelet-requests.ts';
import { stopPod } from './pod-lifecycle.ts';
import type { World } from './world.ts';

/**
 * Slow node replacement, every 4-6 hours (about a twelfth of the fleet per day): the
 * cluster autoscaler adds an instance (which registers itself), then scales an older node
 * down: taint, evict its pods one by one, terminate the instance; the cloud controller
 * deletes the Node and the garbage collector its Lease. The node count stays around 60.
 */

const ms = (millis: number): number => millis * 1000;

export function scheduleNodeChurn(world: World, start: number): void {
  world.k8s.schedule(start + Math.floor(world.rng.between(4, 6) * MICROS_PER_HOUR), (now) => {
    replaceOneNode(world, now);
    scheduleNodeChurn(world, now);
    return undefined;
  });
}

function autoscalerPod(world: World): Pod | undefined {
  return world.model.clusterAutoscaler.pods.values().find((pod) => pod.creds !== undefined);
}

function replaceOneNode(world: World, now: number): void {
  const { rng, aws, k8s, model } = world;
  aws.schedule(now, (t) => {
    const pod = autoscalerPod(world);
    return pod && autoscalerSetDesiredCapacity(world, pod, model.nodes.size + 1, t);
  });
  // An instance boots and its kubelet registers in about two minutes.
  const joined = now + Math.floor(rng.between(90, 150) * MICROS_PER_SECOND);
  k8s.schedule(joined, (t) => {
    const node = model.addNode(t);
    giveNodeCredentials(world, node, t - 30 * MICROS_PER_SECOND);
    k8s.schedule(t + ms(300 + rng.int(700)), (s) => leaseCreate(world, node, s));
    k8s.schedule(t + ms(2000 + rng.int(3000)), (s) => nodeHeartbeat(world, node, s));
    return registerNode(world, node, t);
  });
  // Later, the least useful old node goes.
  const drainAt = joined + Math.floor(rng.between(10, 20) * MICROS_PER_MINUTE);
  k8s.schedule(drainAt, (t) => {
    let victim = model.randomNode();
    for (let attempt = 0; attempt < 10 && victim.draining; attempt++) victim = model.randomNode();
    if (victim.draining) return undefined;
    victim.draining = true;
    k8s.schedule(t + ms(500 + rng.int(1500)), (s) => drainStep(world, victim, s));
    return taintForScaleDown(world, victim, t, victim.createdMicros);
  });
}

/** Evict the next pod; when only rollout-retiring pods remain, wait for them. */
function drainStep(world: World, node: Node, now: number): undefined {
  const { rng, k8s, aws, model } = world;
  const next = node.pods.values().find((pod) => !pod.retiring && (pod.state === 'bound' || pod.state === 'running'));
  if (next) {
    stopPod(world, next, now, 'eviction');
    k8s.schedule(now + ms(2000 + rng.int(6000)), (t) => drainStep(world, node, t));
    return undefined;
  }
  if (node.pods.size > 0) {
    k8s.schedule(now + 10 * MICROS_PER_SECOND, (t) => drainStep(world, node, t));
    return undefined;
  }
  aws.schedule(now + ms(1000 + rng.int(3000)), (t) => {
    const pod = autoscalerPod(world);
    const line = pod && autoscalerTerminate(world, pod, node, t);
    model.removeNode(node);
    return line;
  });
  const gone = now + Math.floor(rng.between(60, 120) * MICROS_PER_SECOND);
  k8s.schedule(gone, (t) => {
    model.removeNode(node);
    return deleteNode(world, node, t);
  });
  k8s.schedule(gone + ms(200 + rng.int(800)), (t) => deleteNodeLease(world, node, t));
  return undefined;
}
