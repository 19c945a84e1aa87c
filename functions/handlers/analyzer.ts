import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { z } from 'zod';
import { type Config, clusterSettingsOf } from '#core/config';
import { withReadNetwork } from '#core/deployment-network';
import { accountOf } from '#core/model/arn';
import type { ReadNetwork } from '#core/model/read-network';
import type { RetentionPolicy } from '#core/store/retention';
import type { Store } from '#core/store/store';
import type { Enrichment } from '#adapters/enrichment/index';
import { type AnalyzerHandler, createAnalyzer } from '#adapters/batch-analyzer';
import type { ContainmentStarter } from '#adapters/containment/workflow-starter';
import { DynamoDbResponseStore } from '#adapters/dynamodb-responses';
import { readDeployedConfig } from '#adapters/deployed-config';
import { configParameterVariables, memberAccountVariables, readEnvironment, required } from './environment.ts';
import { onFirstUse } from './on-first-use.ts';

/**
 * The analyzer Lambda: SQS batches of EventBridge events and forwarded audit records, through
 * the core (functions/adapters/batch-analyzer.ts). This file only reads the environment, once,
 * at cold start, and wires the AWS clients.
 */

const environmentSchema = z
  .object({
    TABLE_NAME: required,
    IDEMPOTENCY_TABLE_NAME: required,
    ALERT_TOPIC_ARN: required.regex(/^arn:aws[\w-]*:sns:/, 'is not an SNS topic ARN'),
    EVENT_BUS_NAME: required,
    DEAD_LETTER_QUEUE_URL: z.url({ error: (issue) => (issue.input === undefined ? 'is not set' : 'is not a queue URL') }),
    ...configParameterVariables,
    POWERTOOLS_SERVICE_NAME: required,
    ANALYZER_ROLE_ARN: z.string().optional(),
    ...memberAccountVariables,
    // Lambda sets it: the region the analyzer's own clients call.
    AWS_REGION: z.string().optional(),
    // Both set when the stack deploys containment, neither when it does not.
    CONTAINMENT_STATE_MACHINE_ARN: z
      .string()
      .regex(/^arn:aws[\w-]*:states:/, 'is not a state machine ARN')
      .optional(),
    APPROVAL_URL: z.url({ error: 'is not a URL' }).optional(),
    // Set together when the stack exports incidents to Security Hub.
    SECURITY_HUB: z.literal('1', { error: 'must be 1 when set' }).optional(),
    SECURITY_HUB_PRODUCT_ARN: z
      .string()
      .regex(/^arn:aws[\w-]*:securityhub:/, 'is not a Security Hub product ARN')
      .optional(),
  })
  .refine((env) => env.SECURITY_HUB === undefined || env.SECURITY_HUB_PRODUCT_ARN !== undefined, {
    path: ['SECURITY_HUB_PRODUCT_ARN'],
    message: 'is not set (SECURITY_HUB=1 needs it)',
  });

/** The deployed function's settings, read and checked once. */
export function analyzerEnvironment(env: NodeJS.ProcessEnv) {
  return readEnvironment('analyzer', environmentSchema, env);
}

const environment = analyzerEnvironment(process.env);
const tracer = new Tracer();
const aws = {
  sqs: tracer.captureAWSv3Client(new SQSClient({})),
  sns: tracer.captureAWSv3Client(new SNSClient({})),
  eventBridge: tracer.captureAWSv3Client(new EventBridgeClient({})),
  dynamodb: tracer.captureAWSv3Client(new DynamoDBClient({})),
  ssm: tracer.captureAWSv3Client(new SSMClient({})),
};
const logger = new Logger();

/** The analyzer's account and partition, and (organization mode) the member role it reads other accounts through. */
const ownAccount = {
  homeAccountId: accountOf(environment.ANALYZER_ROLE_ARN),
  memberRoleName: environment.MEMBER_ROLE_NAME,
  partition: environment.ANALYZER_ROLE_ARN?.split(':')[1],
};

// Enrichment reads IAM, EKS, CloudTrail, Inspector and ECR only for incidents it alerts on, which most batches have none of.
const awsEnrichment = onFirstUse(async () => {
  const config = await deployedConfig();
  return (await import('./analyzer-enrichment.ts')).awsEnrichment(tracer, {
    ...ownAccount,
    regionOf: (clusterId) => clusterSettingsOf(config, clusterId)?.region,
    searchRegions: { own: environment.AWS_REGION, members: environment.MEMBER_REGIONS },
  });
});
const enrichment: Enrichment = {
  rolePolicies: { policiesOf: async (roleArn) => (await awsEnrichment()).rolePolicies.policiesOf(roleArn) },
  clusterDetails: {
    describe: async (cluster) => (await awsEnrichment()).clusterDetails.describe(cluster),
    podIdentityRoles: async (cluster, namespace, serviceAccount) => (await awsEnrichment()).clusterDetails.podIdentityRoles(cluster, namespace, serviceAccount),
  },
  sessionBackfill: { recentCalls: async (accessKeyId, window) => (await awsEnrichment()).sessionBackfill.recentCalls(accessKeyId, window) },
  imageVulnerabilities: { scansOf: async (image) => (await awsEnrichment()).imageVulnerabilities.scansOf(image) },
};

/** Step Functions is called only when an incident reaches the containment threshold. */
function containmentStarter(stateMachineArn: string, approvalUrl: string): ContainmentStarter {
  const starter = onFirstUse(async () => (await import('./analyzer-workflow-starter.ts')).stepFunctionsStarter(tracer, stateMachineArn, approvalUrl));
  return { start: async (incident, dryRun, execution) => (await starter()).start(incident, dryRun, execution) };
}

/** The one place that knows the production store; loaded on first use. */
async function dynamoDbStore(config: Config): Promise<Store> {
  const { DynamoDbStore } = await import('#adapters/dynamodb-store');
  const retention: RetentionPolicy = { graphRetentionMs: config.graphRetentionHours * 3600_000, windowMs: config.windowHours * 3600_000 };
  return new DynamoDbStore({ client: aws.dynamodb, tableName: environment.TABLE_NAME, retention });
}

const deployedConfig = onFirstUse(async () => {
  const { config, matchesDeployment } = await readDeployedConfig(aws.ssm, environment.PIVOTGUARD_CONFIG_PARAMETER, environment.PIVOTGUARD_CONFIG_SHA256);
  if (!matchesDeployment)
    logger.warn('The configuration parameter differs from what the stack deployed; using the parameter', {
      parameter: environment.PIVOTGUARD_CONFIG_PARAMETER,
    });
  return config;
});

// The configured clusters' NAT gateways and VPC endpoints, read from EC2: the egress an address is judged against.
const clusterNetwork = onFirstUse(async () => {
  const { clusters } = await deployedConfig();
  if (Object.keys(clusters).length === 0) return undefined;
  // A member account's cluster: its NAT gateways and endpoints, read through the member reader role.
  return (await import('./cluster-network.ts')).clusterNetworkCache(tracer, logger, clusters, { endpoints: true }, ownAccount);
});

async function analyzerFor(config: Config): Promise<AnalyzerHandler> {
  return createAnalyzer({
    store: await dynamoDbStore(config),
    config,
    clients: { sqs: aws.sqs, sns: aws.sns, eventBridge: aws.eventBridge },
    targets: {
      deadLetterQueueUrl: environment.DEAD_LETTER_QUEUE_URL,
      alertTopicArn: environment.ALERT_TOPIC_ARN,
      eventBusName: environment.EVENT_BUS_NAME,
    },
    enrichment,
    idempotencyStore: new DynamoDBPersistenceLayer({ tableName: environment.IDEMPOTENCY_TABLE_NAME, awsSdkV3Client: aws.dynamodb }),
    powertools: { logger, metrics: new Metrics({ namespace: 'pivotguard' }), tracer },
    ownRoleArn: environment.ANALYZER_ROLE_ARN,
    responses: new DynamoDbResponseStore({ client: aws.dynamodb, tableName: environment.TABLE_NAME }),
    containment: environment.CONTAINMENT_STATE_MACHINE_ARN
      ? containmentStarter(environment.CONTAINMENT_STATE_MACHINE_ARN, environment.APPROVAL_URL ?? '')
      : undefined,
    // Only a stack deployed with the Security Hub export loads its client.
    securityHub:
      environment.SECURITY_HUB && environment.SECURITY_HUB_PRODUCT_ARN
        ? (await import('./analyzer-security-hub.ts')).securityHubExporter(tracer, environment.SECURITY_HUB_PRODUCT_ARN)
        : undefined,
  });
}

/** Built again only when what was read of the clusters' networks changes (at most every 15 minutes). */
let analyzer: { network: ReadNetwork | undefined; handler: Promise<AnalyzerHandler> } | undefined;

export const handler: AnalyzerHandler = async (event, context) => {
  const config = await deployedConfig();
  const network = await (await clusterNetwork())?.network();
  if (!analyzer || analyzer.network !== network) {
    const built = analyzerFor(network ? withReadNetwork(config, network) : config).catch((error: unknown) => {
      if (analyzer?.handler === built) analyzer = undefined;
      throw error;
    });
    analyzer = { network, handler: built };
  }
  return (await analyzer.handler)(event, context);
};
