import type { AwsAccount } from './aws-account.ts';
import type { ClusterModel } from './cluster-model.ts';
import type { K8sActors } from './k8s-actors.ts';
import type { Prng } from './prng.ts';
import type { Timeline } from './timeline.ts';

/** Everything a simulation step may read or change, passed around as one value. */
export interface World {
  rng: Prng;
  model: ClusterModel;
  account: AwsAccount;
  actors: K8sActors;
  /** Future Kubernetes API requests (audit lines). */
  k8s: Timeline;
  /** Future AWS API calls (CloudTrail lines). */
  aws: Timeline;
}

/**
 * A watch request URI as client-go writes it: query keys sorted, a random 5-10 minute
 * server-side timeout.
 */
export function watchUri(world: World, path: string, timeoutSeconds: number, selector?: string): string {
  const rv = world.model.currentResourceVersion();
  const minutes = Math.floor(timeoutSeconds / 60);
  const seconds = timeoutSeconds % 60;
  const timeout = `timeout=${minutes}m${seconds}s&timeoutSeconds=${timeoutSeconds}`;
  return `${path}?allowWatchBookmarks=true${selector ?? ''}&resourceVersion=${rv}&${timeout}&watch=true`;
}

export function fieldSelector(expression: string): string {
  return `&fieldSelector=${encodeURIComponent(expression)}`;
}

export function watchTimeout(world: World): number {
  return world.rng.intBetween(300, 599);
}
