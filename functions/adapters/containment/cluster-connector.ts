import { EKSClient } from '@aws-sdk/client-eks';
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentials } from '../kubernetes/eks-token.ts';
import { type ClusterAccess, clusterAccess, kubeConfigFor } from '../kubernetes/cluster-access.ts';
import { KubernetesContainment } from '../kubernetes/containment.ts';
import { clusterAccountOf, clusterNameOf } from '#core/model/cluster-id';
import { ClusterRegions } from './cluster-regions.ts';

// Apart from aws-wiring.ts so that only what acts on a cluster loads the Kubernetes client.

/** Where a configured cluster runs when not in the function's own account and region (config `clusters.NAME.accountId` / `.region`). */
export interface ClusterLocation {
  accountId?: string;
  region?: string;
}

/** Organization mode: a cluster in another account is reached through that account's member role. */
export interface MemberClusterAccess {
  homeAccountId: string;
  /** The role the member stack creates in every account; its access entry maps it into the containment group. */
  memberRoleName: string;
  sts: Pick<STSClient, 'send'>;
  partition?: string;
  /** The regions the member template is deployed in: where a member cluster of no configured region is looked for. */
  regions?: readonly string[];
}

export interface ClusterConnectorOptions {
  eks: EKSClient;
  region: string;
  clusters: readonly string[];
  /** The configured location of a cluster; absent or empty: the function's own account and region. */
  locationOf?: (cluster: string) => ClusterLocation | undefined | Promise<ClusterLocation | undefined>;
  member?: MemberClusterAccess;
  /** Builds the EKS client of another region or account (tests wrap it). */
  eksOf?: (region: string, credentials?: AwsCredentials) => EKSClient;
}

/** The STS session the member role is assumed under: the member account's CloudTrail says pivotguard's containment reached its cluster. */
const SESSION_NAME = 'pivotguard-kubernetes-containment';

/** Kubernetes access for the clusters the stack was deployed for; any other name is refused (see `clusterAccessOf`). */
export function clusterConnector(options: ClusterConnectorOptions) {
  const accessOf = clusterAccessOf(options);
  return async (cluster: string): Promise<KubernetesContainment> => new KubernetesContainment(kubeConfigFor(await accessOf(cluster)));
}

/**
 * The API server and token of a deployed cluster. A cluster configured in another account is
 * described, and its token signed, with the member role's credentials; without a member role
 * (single account) it is refused before any call.
 */
export function clusterAccessOf(options: ClusterConnectorOptions): (cluster: string) => Promise<ClusterAccess> {
  const eksOf = options.eksOf ?? ((region, credentials) => new EKSClient({ region, ...(credentials ? { credentials } : {}) }));
  const memberRegions = new ClusterRegions(options.region, options.member?.regions);
  return async (clusterId) => {
    // NAME@ACCOUNT (model/cluster-id.ts) is cluster NAME of that account: EKS knows it by its name there.
    const name = clusterNameOf(clusterId);
    if (!options.clusters.includes(clusterId) && !options.clusters.includes(name)) {
      throw new Error(`cluster ${clusterId} is not one pivotguard was deployed for (${options.clusters.join(', ')})`);
    }
    const location = (await options.locationOf?.(clusterId)) ?? {};
    const accountId = clusterAccountOf(clusterId) ?? location.accountId;
    const region = location.region ?? options.region;
    const elsewhere = accountId !== undefined && accountId !== options.member?.homeAccountId;
    if (!elsewhere) {
      const eks = region === options.region ? options.eks : eksOf(region);
      return clusterAccess(name, { eks, region, credentials: () => eks.config.credentials() });
    }
    if (!options.member) throw new Error(`cluster ${clusterId} is in account ${accountId}: pivotguard reaches other accounts only in organization mode`);
    const credentials = await memberCredentials(options.member, accountId);
    const reach = (clusterRegion: string) => clusterAccess(name, { eks: eksOf(clusterRegion, credentials), region: clusterRegion, credentials });
    return location.region ? reach(location.region) : memberRegions.inRegionOf(clusterId, (found) => reach(found ?? options.region));
  };
}

async function memberCredentials(member: MemberClusterAccess, accountId: string): Promise<AwsCredentials> {
  const roleArn = `arn:${member.partition ?? 'aws'}:iam::${accountId}:role/${member.memberRoleName}`;
  const { Credentials } = await member.sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: SESSION_NAME }));
  if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey || !Credentials.SessionToken)
    throw new Error(`AssumeRole of ${roleArn} returned no credentials`);
  return { accessKeyId: Credentials.AccessKeyId, secretAccessKey: Credentials.SecretAccessKey, sessionToken: Credentials.SessionToken };
}
