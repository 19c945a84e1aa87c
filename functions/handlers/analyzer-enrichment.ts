import type { Tracer } from '@aws-lambda-powertools/tracer';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { Inspector2Client } from '@aws-sdk/client-inspector2';
import { STSClient } from '@aws-sdk/client-sts';
import { memberRoleClients, organizationAccounts, singleAccount } from '#adapters/containment/account-clients';
import { ClusterRegions } from '#adapters/containment/cluster-regions';
import type { Enrichment } from '#adapters/enrichment/index';
import { CloudTrailSessionBackfill } from '#adapters/enrichment/session-backfill';
import { EksClusterDetails } from '#adapters/enrichment/cluster-details';
import { IamRolePolicies } from '#adapters/enrichment/role-policies';
import { AwsImageVulnerabilities } from '#adapters/enrichment/image-vulnerabilities';

export interface EnrichmentAccounts {
  homeAccountId?: string;
  /** Organization mode: the member reader role every account holds. */
  memberRoleName?: string;
  /** The partition of the function's account and the member roles. */
  partition?: string;
  /** The region of a cluster the configuration names one for. */
  regionOf?: (clusterId: string) => string | undefined;
  /** Where a member cluster of no configured region is looked for: the function's region, then the member template's regions. */
  searchRegions?: { own?: string; members: readonly string[] };
}

/**
 * The analyzer's lookups in IAM, EKS, CloudTrail, Inspector and ECR; analyzer.ts loads this module when an incident first needs them.
 * A role or cluster of another account is read through its member role (organization mode), or reported as not read; never by name here.
 */
export function awsEnrichment(tracer: Tracer, accounts: EnrichmentAccounts = {}): Required<Enrichment> {
  const iam = tracer.captureAWSv3Client(new IAMClient({}));
  const eks = tracer.captureAWSv3Client(new EKSClient({}));
  const { homeAccountId, memberRoleName, partition, regionOf, searchRegions } = accounts;
  const organization = homeAccountId && memberRoleName ? { homeAccountId, memberRoleName, sts: tracer.captureAWSv3Client(new STSClient({})) } : undefined;
  const iamClients = organization
    ? organizationAccounts({ iam, ...organization, clientOf: (credentials) => tracer.captureAWSv3Client(new IAMClient({ credentials })) })
    : singleAccount(iam, homeAccountId);
  const eksMembers =
    organization &&
    memberRoleClients({
      memberRoleName: organization.memberRoleName,
      sts: organization.sts,
      clientOf: (credentials, region) => tracer.captureAWSv3Client(new EKSClient({ credentials, region })),
    });
  return {
    rolePolicies: new IamRolePolicies(iamClients),
    clusterDetails: new EksClusterDetails({
      home: eks,
      members: eksMembers,
      regionOf,
      searchRegions: searchRegions && new ClusterRegions(searchRegions.own, searchRegions.members),
      partition,
    }),
    sessionBackfill: new CloudTrailSessionBackfill(tracer.captureAWSv3Client(new CloudTrailClient({}))),
    imageVulnerabilities: new AwsImageVulnerabilities(tracer.captureAWSv3Client(new Inspector2Client({})), tracer.captureAWSv3Client(new ECRClient({}))),
  };
}
