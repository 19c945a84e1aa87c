import type { Tracer } from '@aws-lambda-powertools/tracer';
import { EKSClient } from '@aws-sdk/client-eks';
import { clusterConnector } from '#adapters/containment/cluster-connector';

/** Kubernetes access through EKS; containment.ts loads this module (and the Kubernetes client) for the first step that acts on a cluster. */
export function eksClusterConnector(tracer: Tracer, region: string, clusters: readonly string[]) {
  return clusterConnector({ eks: tracer.captureAWSv3Client(new EKSClient({})), region, clusters });
}
