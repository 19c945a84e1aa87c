import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import middy from '@middy/core';
import { z } from 'zod';
import { recordsFromSignals, secretReader, snsNotifier } from '#adapters/containment/aws-wiring';
import { EvidenceLocker } from '#adapters/containment/evidence';
import { StepFunctionsExecutionVerifier } from '#adapters/containment/execution-verifier';
import { type ContainmentDeps, type StepPayload, containmentSteps } from '#adapters/containment/steps';
import { clusterSettingsOf } from '#core/config';
import { readDeployedConfig } from '#adapters/deployed-config';
import { DynamoDbResponseStore } from '#adapters/dynamodb-responses';
import { DynamoDbStore } from '#adapters/dynamodb-store';
import { meteredResponses } from '#adapters/metered-responses';
import { withCurrentNatAddresses } from '#core/deployment-network';
import { accountIdVariable, clustersVariable, configParameterVariables, memberAccountVariables, readEnvironment, required } from './environment.ts';
import { onFirstUse } from './on-first-use.ts';

/**
 * The containment Lambda: every Task state of the containment workflow
 * (functions/adapters/containment/steps.ts), each checked to run inside this state machine's
 * execution for its incident. Undo runs in containment-undo.ts. This file only reads the
 * environment, once, at cold start, and wires the AWS clients.
 */
const environmentSchema = z.object({
  TABLE_NAME: required,
  EVIDENCE_BUCKET: required,
  ALERT_TOPIC_ARN: required.regex(/^arn:aws[\w-]*:sns:/, 'is not an SNS topic ARN'),
  APPROVAL_SECRET_ARN: required.regex(/^arn:aws[\w-]*:secretsmanager:/, 'is not a Secrets Manager ARN'),
  CLUSTERS: clustersVariable,
  APPROVAL_TIMEOUT_SECONDS: z.coerce
    .number()
    .int()
    .positive()
    .default(24 * 3600),
  ...configParameterVariables,
  POWERTOOLS_SERVICE_NAME: required,
  AWS_REGION: required,
  ACCOUNT_ID: accountIdVariable,
  ...memberAccountVariables,
  // The one state machine whose running executions may ask for steps.
  STATE_MACHINE_ARN: required.regex(/^arn:aws[\w-]*:states:[\w-]+:\d{12}:stateMachine:[\w-]{1,80}$/, 'is not a state machine ARN'),
});

export function containmentEnvironment(env: NodeJS.ProcessEnv) {
  return readEnvironment('containment', environmentSchema, env);
}

const environment = containmentEnvironment(process.env);
const tracer = new Tracer();
const logger = new Logger();
// The dashboard reads the containment KPIs under this function's service name.
const metrics = new Metrics({ namespace: 'pivotguard' });
const dynamodb = tracer.captureAWSv3Client(new DynamoDBClient({}));
const ssm = tracer.captureAWSv3Client(new SSMClient({}));

// IAM loads with the first step that acts on a role, the Kubernetes client (with EKS) with the first that acts on a
// cluster: notifying, approving and recording never do.
const iamRevocation = onFirstUse(async () =>
  (await import('./containment-iam.ts')).iamRevocation(tracer, environment.ACCOUNT_ID, environment.MEMBER_ROLE_NAME),
);
const iam: ContainmentDeps['iam'] = {
  revokeSessions: async (request) => (await iamRevocation()).revokeSessions(request),
  revokeAllSessions: async (request) => (await iamRevocation()).revokeAllSessions(request),
  fenceRole: async (request) => (await iamRevocation()).fenceRole(request),
  denyWebIdentity: async (request) => (await iamRevocation()).denyWebIdentity(request),
};

/** The steps, wired once per cold start with the deployed configuration. */
async function stepsFromEnvironment() {
  const { config, matchesDeployment } = await readDeployedConfig(ssm, environment.PIVOTGUARD_CONFIG_PARAMETER, environment.PIVOTGUARD_CONFIG_SHA256);
  if (!matchesDeployment)
    logger.warn('The configuration parameter differs from what the stack deployed; using the parameter', {
      parameter: environment.PIVOTGUARD_CONFIG_PARAMETER,
    });
  // A fence planned when the incident opened also lets in the NAT gateways EC2 lists now in the VPCs it names; loaded by the first fence.
  const network = onFirstUse(async () =>
    (await import('./cluster-network.ts')).clusterNetworkCache(
      tracer,
      logger,
      config.clusters,
      { endpoints: false },
      // A member account's cluster: its NAT gateways, read through the member containment role.
      { homeAccountId: environment.ACCOUNT_ID, memberRoleName: environment.MEMBER_ROLE_NAME },
    ),
  );
  const fencing: ContainmentDeps['iam'] = {
    ...iam,
    fenceRole: async (request) => iam.fenceRole({ ...request, fence: withCurrentNatAddresses(request.fence, await (await network()).network()) }),
  };
  // In organization mode a cluster configured in another account is reached through that account's member role.
  const organization = environment.MEMBER_ROLE_NAME
    ? {
        homeAccountId: environment.ACCOUNT_ID,
        memberRoleName: environment.MEMBER_ROLE_NAME,
        memberRegions: environment.MEMBER_REGIONS,
        locationOf: async (cluster: string) => clusterSettingsOf(config, cluster),
      }
    : undefined;
  const clusterConnection = onFirstUse(async () =>
    (await import('./containment-kubernetes.ts')).eksClusterConnector(tracer, environment.AWS_REGION, environment.CLUSTERS, organization),
  );
  const { graphRetentionHours, windowHours } = config;
  const store = new DynamoDbStore({
    client: dynamodb,
    tableName: environment.TABLE_NAME,
    retention: { graphRetentionMs: graphRetentionHours * 3600_000, windowMs: windowHours * 3600_000 },
  });
  return containmentSteps({
    incidents: store,
    evidence: new EvidenceLocker(tracer.captureAWSv3Client(new S3Client({})), { bucket: environment.EVIDENCE_BUCKET, objectLock: true }),
    iam: fencing,
    kubernetes: async (cluster) => (await clusterConnection())(cluster),
    recordsBehind: recordsFromSignals(store),
    notify: snsNotifier(tracer.captureAWSv3Client(new SNSClient({})), environment.ALERT_TOPIC_ARN),
    responses: meteredResponses(new DynamoDbResponseStore({ client: dynamodb, tableName: environment.TABLE_NAME }), metrics),
    linkSecret: secretReader(tracer.captureAWSv3Client(new SecretsManagerClient({})), environment.APPROVAL_SECRET_ARN),
    approvalTimeoutMs: environment.APPROVAL_TIMEOUT_SECONDS * 1000,
    executions: new StepFunctionsExecutionVerifier(tracer.captureAWSv3Client(new SFNClient({})), environment.STATE_MACHINE_ARN),
  });
}

let steps: ReturnType<typeof stepsFromEnvironment> | undefined;

export const handler = middy(async (payload: StepPayload) => {
  logger.appendKeys({ step: payload.step, incident: payload.incident?.id, execution: payload.executionArn });
  steps ??= stepsFromEnvironment().catch((error: unknown) => {
    steps = undefined;
    throw error;
  });
  return (await steps)(payload);
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
