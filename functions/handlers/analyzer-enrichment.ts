import type { Tracer } from '@aws-lambda-powertools/tracer';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { Inspector2Client } from '@aws-sdk/client-inspector2';
import { STSClient } from '@aws-sdk/client-sts';
import { organizationAccounts, singleAccount } from '#adapters/containment/account-clients';
import type { Enrichment } from '#adapters/enrichment/index';
import { CloudTrailSessionBackfill } from '#adapters/enrichment/session-backfill';
import { EksClusterDetails } from '#adapters/enrichment/cluster-details';
import { IamRolePolicies } from '#adapters/enrichment/role-policies';
import { AwsImageVulnerabilities } from '#adapters/enrichment/image-vulnerabilities';

/**
 * The analyzer's lookups in IAM, EKS, CloudTrail, Inspector and ECR; analyzer.ts loads this module when an incident first needs them.
 * A role of another account is read through its member role (organization mode), or reported as not read; never by name here.
 */
export function awsEnrichment(tracer: Tracer, accounts: { homeAccountId?: string; memberRoleName?: string } = {}): Required<Enrichment> {
  const iam = tracer.captureAWSv3Client(new IAMClient({}));
  const { homeAccountId, memberRoleName } = accounts;
  const iamClients =
    homeAccountId && memberRoleName
      ? organizationAccounts({
          iam,
          homeAccountId,
          memberRoleName,
          sts: tracer.captureAWSv3Client(new STSClient({})),
          clientOf: (credentials) => tracer.captureAWSv3Client(new IAMClient({ credentials })),
        })
      : singleAccount(iam, homeAccountId);
  return {
    rolePolicies: new IamRolePolicies(iamClients),
    clusterDetails: new EksClusterDetails(tracer.captureAWSv3Client(new EKSClient({}))),
    sessionBackfill: new CloudTrailSessionBackfill(tracer.captureAWSv3Client(new CloudTrailClient({}))),
    imageVulnerabilities: new AwsImageVulnerabilities(tracer.captureAWSv3Client(new Inspector2Client({})), tracer.captureAWSv3Client(new ECRClient({}))),
  };
}
