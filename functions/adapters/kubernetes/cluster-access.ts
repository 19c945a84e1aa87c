import { DescribeClusterCommand, type EKSClient } from '@aws-sdk/client-eks';
import { KubeConfig } from '@kubernetes/client-node';
import { type AwsCredentials, eksBearerToken } from './eks-token.ts';

/** Everything needed to talk to one cluster's API server, without a kubeconfig file. */
export interface ClusterAccess {
  clusterName: string;
  /** The API server endpoint, https://... */
  server: string;
  /** The cluster CA bundle, base64 PEM as EKS returns it. */
  caData: string;
  /** A bearer token; the API server accepts it for about 15 minutes, so build one per invocation. */
  token: string;
}

export interface ClusterAccessOptions {
  eks: EKSClient;
  region: string;
  credentials: AwsCredentials | (() => Promise<AwsCredentials>);
  now?: Date;
}

/** The cluster exists but cannot be reached with what EKS says about it (still creating, or no endpoint). */
export class ClusterNotReachable extends Error {
  constructor(
    readonly clusterName: string,
    readonly reason: string,
  ) {
    super(`cannot reach the API server of EKS cluster ${clusterName}: ${reason}`);
    this.name = 'ClusterNotReachable';
  }
}

/** Needs eks:DescribeCluster, and an EKS access entry (or aws-auth mapping) for the caller's role. */
export async function clusterAccess(clusterName: string, { eks, region, credentials, now }: ClusterAccessOptions): Promise<ClusterAccess> {
  const { cluster } = await eks.send(new DescribeClusterCommand({ name: clusterName }));
  const server = cluster?.endpoint;
  const caData = cluster?.certificateAuthority?.data;
  if (!server) throw new ClusterNotReachable(clusterName, `no endpoint (status ${cluster?.status ?? 'unknown'})`);
  if (!caData) throw new ClusterNotReachable(clusterName, `no certificate authority data (status ${cluster?.status ?? 'unknown'})`);
  const token = await eksBearerToken({ clusterName, region, credentials, ...(now ? { now } : {}) });
  return { clusterName, server, caData, token };
}

/**
 * A KubeConfig for one cluster, held in memory. TLS is always verified against the cluster's
 * own CA; a plain-http server is refused rather than silently trusted.
 */
export function kubeConfigFor(access: ClusterAccess): KubeConfig {
  if (!access.server.startsWith('https://')) throw new ClusterNotReachable(access.clusterName, `endpoint ${access.server} is not https`);
  const config = new KubeConfig();
  config.loadFromOptions({
    clusters: [{ name: access.clusterName, server: access.server, caData: access.caData, skipTLSVerify: false }],
    users: [{ name: 'pivotguard', token: access.token }],
    contexts: [{ name: access.clusterName, cluster: access.clusterName, user: 'pivotguard' }],
    currentContext: access.clusterName,
  });
  return config;
}
