import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { SQSClient } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { createForwarder } from '#adapters/log-forwarder';
import { readEnvironment } from './environment.ts';

/**
 * The forwarder Lambda: CloudWatch Logs subscription (EKS audit logs) -> SQS, through
 * functions/adapters/log-forwarder.ts. This file only reads the environment, once, at cold start.
 */

const environmentSchema = z.object({ QUEUE_URL: z.url({ error: (issue) => (issue.input === undefined ? 'not set' : 'not a URL') }) });

const environment = readEnvironment('forwarder', environmentSchema, process.env);
const tracer = new Tracer();

export const handler = createForwarder({
  sqs: tracer.captureAWSv3Client(new SQSClient({})),
  queueUrl: environment.QUEUE_URL,
  logger: new Logger(),
  metrics: new Metrics({ namespace: 'pivotguard' }),
  tracer,
});
