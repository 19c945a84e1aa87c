import type { EKSClient } from '@aws-sdk/client-eks';
import { clusterAccess, kubeConfigFor } from '../kubernetes/cluster-access.ts';
import { KubernetesContainment } from '../kubernetes/containment.ts';

// Apart from aws-wiring.ts so that only what acts on a cluster loads the Kubernetes client.

/** Kubernetes access for the clusters the stack was deployed for; any other name is refused. */
export function clusterConnector(options: { eks: EKSClient; region: string; clusters: readonly string[] }) {
  return async (cluster: string): Promise<KubernetesContainment> => {
    if (!options.clusters.includes(cluster)) throw new Error(`cluster ${cluster} is not one pivotguard was deployed for (${options.clusters.join(', ')})`);
    const access = await clusterAccess(cluster, { eks: options.eks, region: options.region, credentials: () => options.eks.config.credentials() });
    return new KubernetesContainment(kubeConfigFor(access));
  };
}
