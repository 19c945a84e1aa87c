import type { Tracer } from '@aws-lambda-powertools/tracer';
import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { ECRClient } from '@aws-sdk/client-ecr';
import { EKSClient } from '@aws-sdk/client-eks';
import { IAMClient } from '@aws-sdk/client-iam';
import { Inspector2Client } from '@aws-sdk/client-inspector2';
import type { Enrichment } from '#adapters/enrichment/index';
import { CloudTrailSessionBackfill } from '#adapters/enrichment/session-backfill';
import { EksClusterDetails } from '#adapters/enrichment/cluster-details';
import { IamRolePolicies } from '#adapters/enrichment/role-policies';
import { AwsImageVulnerabilities } from '#adapters/enrichment/image-vulnerabilities';

/** The analyzer's lookups in IAM, EKS, CloudTrail, Inspector and ECR; analyzer.ts loads this module when an incident first needs them. */
export function awsEnrichment(tracer: Tracer): Required<Enrichment> {
  return {
    rolePolicies: new IamRolePolicies(tracer.captureAWSv3Client(new IAMClient({}))),
    clusterDetails: new EksClusterDetails(tracer.captureAWSv3Client(new EKSClient({}))),
    sessionBackfill: new CloudTrailSessionBackfill(tracer.captureAWSv3Client(new CloudTrailClient({}))),
    imageVulnerabilities: new AwsImageVulnerabilities(tracer.captureAWSv3Client(new Inspector2Client({})), tracer.captureAWSv3Client(new ECRClient({}))),
  };
}
