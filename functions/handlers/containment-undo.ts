import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import middy from '@middy/core';
import { z } from 'zod';
import type { UndoDeps } from '#adapters/containment/undo';
import { undoRecorded, undoRequestSchema } from '#adapters/containment/undo';
import { DynamoDbResponseStore } from '#adapters/dynamodb-responses';
import { meteredResponses } from '#adapters/metered-responses';
import { PivotguardError } from '#core/errors';
import { accountIdVariable, clustersVariable, memberAccountVariables, readEnvironment, required } from './environment.ts';
import { onFirstUse } from './on-first-use.ts';

/**
 * The undo Lambda: reverses recorded containment steps when the approval page or the terminal
 * asks (functions/adapters/containment/undo.ts). It runs apart from the containment function, with
 * a role that can only undo, so whoever may undo cannot also run containment steps.
 */
const environmentSchema = z.object({
  TABLE_NAME: required,
  CLUSTERS: clustersVariable,
  POWERTOOLS_SERVICE_NAME: required,
  AWS_REGION: required,
  ACCOUNT_ID: accountIdVariable,
  ...memberAccountVariables,
});

export function undoEnvironment(env: NodeJS.ProcessEnv) {
  return readEnvironment('containment undo', environmentSchema, env);
}

const environment = undoEnvironment(process.env);
const tracer = new Tracer();
const logger = new Logger();
// The dashboard reads ActionsUndone and UndosFailed under the containment service name.
const metrics = new Metrics({ namespace: 'pivotguard' });
const responses = meteredResponses(
  new DynamoDbResponseStore({ client: tracer.captureAWSv3Client(new DynamoDBClient({})), tableName: environment.TABLE_NAME }),
  metrics,
);

// IAM and the Kubernetes client load with the first undo that needs them. A member account's cluster (NAME@ACCOUNT) is
// reached through its member role, as containment reached it.
const organization = environment.MEMBER_ROLE_NAME
  ? { homeAccountId: environment.ACCOUNT_ID, memberRoleName: environment.MEMBER_ROLE_NAME, memberRegions: environment.MEMBER_REGIONS }
  : undefined;
const clusterConnection = onFirstUse(async () =>
  (await import('./containment-kubernetes.ts')).eksClusterConnector(tracer, environment.AWS_REGION, environment.CLUSTERS, organization),
);
const iamRevocation = onFirstUse(async () =>
  (await import('./containment-iam.ts')).iamRevocation(tracer, environment.ACCOUNT_ID, environment.MEMBER_ROLE_NAME),
);
const iam: UndoDeps['iam'] = {
  undo: async (step, request) => (await iamRevocation()).undo(step, request),
  restoreTrustPolicy: async (step, request) => (await iamRevocation()).restoreTrustPolicy(step, request),
};

/** The payload is not an undo request: nothing was undone. */
export class UndoRequestInvalid extends PivotguardError {
  override name = 'UndoRequestInvalid';
}

export const handler = middy(async (payload: unknown) => {
  const parsed = undoRequestSchema.safeParse(payload);
  if (!parsed.success) throw new UndoRequestInvalid(`not an undo request: ${z.prettifyError(parsed.error)}`);
  const request = parsed.data;
  logger.appendKeys({ incident: request.incidentId, by: request.by });
  return undoRecorded(request, { responses, iam, kubernetes: async (cluster) => (await clusterConnection())(cluster) });
})
  .use(captureLambdaHandler(tracer))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
