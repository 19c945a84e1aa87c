import { IdempotencyAlreadyInProgressError, IdempotencyConfig, IdempotencyPersistenceLayerError, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { type AlertText, alertText } from '#core/respond/alert-text';
import type { IncidentChange } from '#core/store/store';
import type { AlertPublisher } from '../alert-publisher.ts';
import type { DeadLetterQueue } from '../dead-letter-queue.ts';
import { errorName } from '../error-name.ts';
import type { Notifier } from './responder.ts';

type Channel = 'email' | 'event';

/** What makes two deliveries of an alert the same alert. */
interface AlertKey {
  incidentId: string;
  change: IncidentChange['change'];
  severity: string;
  channel: Channel;
}

interface Delivery {
  change: IncidentChange;
  text: AlertText;
  /** Set once the message left: tells a lost idempotency record from a lost message. */
  sent: boolean;
}

export interface AlertNotifierOptions {
  publisher: AlertPublisher;
  /** Where alert deliveries are remembered (DynamoDB in the stack). */
  idempotencyStore: BasePersistenceLayer;
  /** Where an alert that cannot be sent is parked for a person. */
  deadLetters: DeadLetterQueue;
  logger: Logger;
  metrics: Metrics;
}

const CHANNELS: readonly Channel[] = ['email', 'event'];
/** Longer than SQS keeps a message (at most 14 days): a redelivery always finds the record. */
const ALERT_MEMORY_SECONDS = 14 * 86400;

/**
 * The analyzer's alerts: an email and an event per change, each sent at most once per incident,
 * change and severity however often a batch is delivered (Powertools idempotency), and parked in
 * the dead-letter queue when it cannot be sent.
 */
export class AlertNotifier implements Notifier {
  private readonly idempotencyConfig = new IdempotencyConfig({ expiresAfterSeconds: ALERT_MEMORY_SECONDS });
  private readonly sendOnce: (key: AlertKey, delivery: Delivery) => Promise<unknown>;

  constructor(private readonly options: AlertNotifierOptions) {
    // The channel is part of the hashed key (not the key prefix, which the persistence layer
    // holds as shared state): the email and the event are remembered apart, so a failed event is
    // retried without sending the email again.
    this.sendOnce = makeIdempotent(
      async (key: AlertKey, delivery: Delivery) => {
        const result = await this.sendDirect(key.channel, delivery);
        delivery.sent = true;
        return result;
      },
      { persistenceStore: options.idempotencyStore, config: this.idempotencyConfig, keyPrefix: 'pivotguard.alert', dataIndexArgument: 0 },
    );
  }

  /** Lets an in-progress record outlive neither the invocation nor its timeout. */
  registerLambdaContext(context: Context): void {
    this.idempotencyConfig.registerLambdaContext(context);
  }

  async notify(change: IncidentChange): Promise<void> {
    const text = alertText(change);
    await Promise.all(
      CHANNELS.map((channel) =>
        this.deliver({ incidentId: change.incident.id, change: change.change, severity: change.incident.severity, channel }, change, text),
      ),
    );
  }

  private sendDirect(channel: Channel, delivery: Delivery) {
    return channel === 'email' ? this.options.publisher.sendEmail(delivery.change, delivery.text) : this.options.publisher.sendEvent(delivery.change);
  }

  private async deliver(key: AlertKey, change: IncidentChange, text: AlertText): Promise<void> {
    const { logger, metrics } = this.options;
    const delivery: Delivery = { change, text, sent: false };
    try {
      await this.sendOnce(key, delivery);
    } catch (error) {
      if (error instanceof IdempotencyAlreadyInProgressError) {
        logger.info('Alert is being sent by another invocation', { ...key });
        return;
      }
      if (error instanceof IdempotencyPersistenceLayerError && !delivery.sent) {
        // Twice is better than never for a security alert.
        logger.warn('Alert idempotency store unavailable; sending without it', { ...key, error: errorName(error) });
        try {
          await this.sendDirect(key.channel, delivery);
          delivery.sent = true;
        } catch (retryError) {
          await this.undeliverable(key, delivery, retryError);
          return;
        }
      } else if (!delivery.sent) {
        await this.undeliverable(key, delivery, error);
        return;
      }
    }
    if (delivery.sent) {
      logger.info('Alert sent', { ...key });
      metrics.addMetric('AlertsSent', MetricUnit.Count, 1);
    } else {
      logger.info('Alert already sent for this change; not sending again', { ...key });
      metrics.addMetric('AlertsDeduplicated', MetricUnit.Count, 1);
    }
  }

  /**
   * The incident is stored, so a retried batch would not raise this change again: an alert that
   * cannot be sent is parked in the dead-letter queue for a person, rather than lost.
   */
  private async undeliverable(key: AlertKey, { change, text }: Delivery, error: unknown): Promise<void> {
    const { logger, metrics } = this.options;
    metrics.addMetric('AlertsFailed', MetricUnit.Count, 1);
    logger.error('Alert could not be sent; parking it in the dead-letter queue', { ...key, error: errorName(error) });
    try {
      await this.options.deadLetters.send(
        JSON.stringify({ undeliveredAlert: { ...key, previousSeverity: change.previousSeverity, subject: text.subject, body: text.body } }),
        {
          reason: `alert not delivered by ${key.channel}: ${errorName(error)}`,
          incidentId: key.incidentId,
        },
      );
    } catch (parkError) {
      metrics.addMetric('AlertsLost', MetricUnit.Count, 1);
      logger.error('Alert lost: neither sent nor parked', { ...key, error: errorName(parkError) });
    }
  }
}
