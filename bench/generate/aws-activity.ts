import { newAccessKeyId } from './aws-account.ts';
import {
  applicationCall,
  assumeRoleWithWebIdentity,
  autoscalerDescribe,
  cniDescribeInstance,
  ecrAuthorizationToken,
  ecrPull,
  getOwnSecret,
} from './aws-requests.ts';
import { MICROS_PER_HOUR, MICROS_PER_MINUTE } from './clock.ts';
import { sdkSessionName } from './cloudtrail.ts';
import type { Node, Pod } from './cluster-model.ts';
import type { World } from './world.ts';

/**
 * When the AWS calls happen. Pods only call AWS with credentials that were issued to
 * them in this stream (AssumeRoleWithWebIdentity first), refreshed every 50-58 minutes
 * like the SDKs do; nodes hold instance-profile credentials that rotate every ~6 hours.
 */

const ECR_TOKEN_TTL = 12 * MICROS_PER_HOUR;
const INSTANCE_CREDENTIALS_TTL = 6 * MICROS_PER_HOUR;
const ms = (millis: number): number => millis * 1000;

/** Nodes already hold credentials when the stream starts; pods get theirs in the first minutes. */
export function initialCredentials(world: World, start: number): void {
  for (const node of world.model.nodes.values()) {
    giveNodeCredentials(world, node, start - world.rng.int(INSTANCE_CREDENTIALS_TTL));
    node.ecrTokenMicros = start - world.rng.int(ECR_TOKEN_TTL);
  }
  for (const pod of world.model.pods.values()) {
    if (pod.deployment.irsaRole && pod.state === 'running') {
      world.aws.schedule(start + world.rng.int(20 * MICROS_PER_MINUTE), (t) => issueCredentials(world, pod, t, false));
    }
  }
}

export function giveNodeCredentials(world: World, node: Node, issuedMicros: number): void {
  world.model.giveNodeCredentials(node, {
    accessKeyId: newAccessKeyId(world.rng),
    sessionName: node.instanceId,
    issuedMicros,
  });
}

/** IMDS hands out fresh instance-profile credentials before the old ones expire. */
function freshNode(world: World, node: Node, now: number): Node {
  if (node.creds && now - node.creds.issuedMicros > INSTANCE_CREDENTIALS_TTL) giveNodeCredentials(world, node, now);
  return node;
}

function issueCredentials(world: World, pod: Pod, now: number, podJustStarted: boolean): string | undefined {
  if (pod.state !== 'running') return undefined;
  const creds = {
    accessKeyId: newAccessKeyId(world.rng),
    sessionName: sdkSessionName(pod.deployment.sdk, now),
    issuedMicros: now,
  };
  world.model.giveCredentials(pod, creds);
  const generation = pod.credsGeneration;
  world.aws.schedule(now + world.rng.intBetween(50, 58) * MICROS_PER_MINUTE, (t) =>
    pod.credsGeneration === generation ? issueCredentials(world, pod, t, false) : undefined,
  );
  if (podJustStarted && pod.deployment.secretName) {
    world.aws.schedule(now + ms(200 + world.rng.int(1300)), (t) => getOwnSecret(world, pod, t));
  }
  return assumeRoleWithWebIdentity(world, pod, creds, now);
}

/** The node pulls the pod's image (fetching an ECR token first when its cached one expired). */
export function onPodBound(world: World, pod: Pod, now: number): void {
  if (pod.deployment.system) return;
  world.aws.schedule(now + ms(400 + world.rng.int(1600)), (t) => {
    const node = pod.node;
    if (!node || pod.state === 'gone' || !world.model.nodes.has(node)) return undefined;
    freshNode(world, node, t);
    if (t - node.ecrTokenMicros > ECR_TOKEN_TTL) {
      world.aws.schedule(t + ms(150 + world.rng.int(400)), (s) => ecrPull(world, node, pod, s));
      return ecrAuthorizationToken(world, node, t);
    }
    return ecrPull(world, node, pod, t);
  });
}

export function onPodRunning(world: World, pod: Pod, now: number): void {
  if (!pod.deployment.irsaRole) return;
  world.aws.schedule(now + ms(500 + world.rng.int(4000)), (t) => issueCredentials(world, pod, t, true));
}

/** Unscheduled AWS traffic: mostly applications using their credentials, some node plumbing. */
export function awsBackground(world: World, now: number): string {
  const { rng, model } = world;
  const roll = rng.next();
  if (roll < 0.72 && model.podsWithCreds.size > 0) {
    const pod = model.podsWithCreds.at(rng.int(model.podsWithCreds.size)) as Pod;
    const line = pod.deployment === model.clusterAutoscaler ? autoscalerDescribe(world, pod, now) : applicationCall(world, pod, now);
    if (line) return line;
  }
  if (roll >= 0.72 && roll < 0.82) {
    const autoscaler = model.clusterAutoscaler.pods.values().find((pod) => pod.creds !== undefined);
    const line = autoscaler && autoscalerDescribe(world, autoscaler, now);
    if (line) return line;
  }
  const node = freshNode(world, model.nodesWithCreds.at(rng.int(model.nodesWithCreds.size)) as Node, now);
  if (now - node.ecrTokenMicros > ECR_TOKEN_TTL && rng.chance(0.5)) {
    const line = ecrAuthorizationToken(world, node, now);
    if (line) return line;
  }
  return cniDescribeInstance(world, node, now) as string;
}
