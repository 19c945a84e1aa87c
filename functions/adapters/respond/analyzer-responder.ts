import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { Config } from '#core/config';
import type { ResponseStore } from '#core/store/response-store';
import { AlertPublisher } from '../alert-publisher.ts';
import type { ContainmentStarter } from '../containment/workflow-starter.ts';
import type { DeadLetterQueue } from '../dead-letter-queue.ts';
import type { FindingExporter } from '../security-hub.ts';
import { AlertNotifier } from './alert-notifier.ts';
import { powertoolsTelemetry } from './powertools-telemetry.ts';
import { Responder } from './responder.ts';

export interface AnalyzerResponderOptions {
  config: Config;
  clock: () => Date;
  alerts: { sns: SNSClient; eventBridge: EventBridgeClient; topicArn: string; eventBusName: string };
  idempotencyStore: BasePersistenceLayer;
  deadLetters: DeadLetterQueue;
  powertools: { logger: Logger; metrics: Metrics };
  responses?: ResponseStore;
  containment?: ContainmentStarter;
  findings?: FindingExporter;
}

/**
 * The respond stage as the analyzer runs it: alerts by SNS and EventBridge, each sent once or
 * parked in the dead-letter queue, then the response, containment and findings as the stack
 * deploys them, with Powertools logs and metrics. The notifier is returned for the invocation's
 * Lambda context, which its idempotency records are timed by.
 */
export function analyzerResponder(options: AnalyzerResponderOptions): { responder: Responder; notifier: AlertNotifier } {
  const { config, powertools } = options;
  const notifier = new AlertNotifier({
    publisher: new AlertPublisher(options.alerts),
    idempotencyStore: options.idempotencyStore,
    deadLetters: options.deadLetters,
    ...powertools,
  });
  const responder = new Responder({
    config,
    notifier,
    telemetry: powertoolsTelemetry(powertools.logger, powertools.metrics),
    clock: () => options.clock(),
    dryRun: config.actions.dryRun === true,
    responses: options.responses,
    containment: options.containment,
    findings: options.findings,
  });
  return { responder, notifier };
}
