import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { z } from 'zod';
import { ContainmentDesk } from '#adapters/approval/containment-desk';
import { approvalPageHandler } from '#adapters/approval/http';
import { StepFunctionsDecisions } from '#adapters/approval/workflow-decisions';
import { remoteUndo, secretReader } from '#adapters/containment/aws-wiring';
import { DynamoDbResponseStore } from '#adapters/dynamodb-responses';
import { DynamoDbStore } from '#adapters/dynamodb-store';
import { meteredResponses } from '#adapters/metered-responses';
import { readEnvironment, required } from './environment.ts';

/**
 * The approval page behind the Lambda function URL the alert emails link to
 * (functions/adapters/approval/http.ts). This file only reads the environment and wires clients.
 */
const environmentSchema = z.object({
  TABLE_NAME: required,
  APPROVAL_SECRET_ARN: required.regex(/^arn:aws[\w-]*:secretsmanager:/, 'is not a Secrets Manager ARN'),
  UNDO_FUNCTION_NAME: required,
  STATE_MACHINE_ARN: required.regex(/^arn:aws[\w-]*:states:/, 'is not a state machine ARN'),
  POWERTOOLS_SERVICE_NAME: required,
});

export function approvalPageEnvironment(env: NodeJS.ProcessEnv) {
  return readEnvironment('approval page', environmentSchema, env);
}

const environment = approvalPageEnvironment(process.env);
const tracer = new Tracer();
const logger = new Logger();
const dynamodb = tracer.captureAWSv3Client(new DynamoDBClient({}));
// Resolutions and dismissals made on the page reach the dashboard under this function's service name.
const metrics = new Metrics({ namespace: 'pivotguard' });

const page = approvalPageHandler({
  desk: new ContainmentDesk({
    // Only single incidents are read here; the graph retention does not matter.
    incidents: new DynamoDbStore({ client: dynamodb, tableName: environment.TABLE_NAME, retention: { graphRetentionMs: 0, windowMs: 0 } }),
    responses: meteredResponses(new DynamoDbResponseStore({ client: dynamodb, tableName: environment.TABLE_NAME }), metrics),
    workflow: new StepFunctionsDecisions(tracer.captureAWSv3Client(new SFNClient({}))),
    undo: remoteUndo(tracer.captureAWSv3Client(new LambdaClient({})), environment.UNDO_FUNCTION_NAME),
  }),
  secret: secretReader(tracer.captureAWSv3Client(new SecretsManagerClient({})), environment.APPROVAL_SECRET_ARN),
  log: (message, error) => logger.error(message, error as Error),
});

export const handler = async (event: Parameters<typeof page>[0]) => {
  try {
    return await page(event);
  } finally {
    metrics.publishStoredMetrics();
  }
};
