import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { errorName } from '../error-name.ts';
import { incidentOpenedMetrics } from '../response-metrics.ts';
import type { ResponseTelemetry } from './responder.ts';

/** The analyzer's account of its responses: Powertools logs, and CloudWatch metrics for the dashboard and alarms. */
export function powertoolsTelemetry(logger: Logger, metrics: Metrics): ResponseTelemetry {
  return {
    opened: (incident, response) => incidentOpenedMetrics(metrics, incident, response),
    containment(incidentId, { execution, kind, started, covers }) {
      if (kind === 'first') {
        logger.info(started ? 'Containment started' : 'Containment started by another analyzer', { incidentId, execution });
        if (started) metrics.addMetric('ContainmentsStarted', MetricUnit.Count, 1);
        return;
      }
      logger.info(started ? 'Containment extended' : 'Containment already extended', { incidentId, execution, covers });
      if (started) metrics.addMetric('ContainmentsExtended', MetricUnit.Count, 1);
    },
    notContained(incidentId, error) {
      // The alert went out; a person can still contain by hand. Say so loudly.
      metrics.addMetric('ContainmentsNotStarted', MetricUnit.Count, 1);
      logger.error('Could not record the response or start containment', { incidentId, error: errorName(error) });
    },
    exported({ imported, failed }) {
      metrics.addMetric('FindingsExported', MetricUnit.Count, imported);
      if (failed.length === 0) return;
      metrics.addMetric('FindingsNotExported', MetricUnit.Count, failed.length);
      logger.error('Security Hub did not take some findings', { failed: failed.slice(0, 10), count: failed.length });
    },
    notExported(count, error) {
      metrics.addMetric('FindingsNotExported', MetricUnit.Count, count);
      logger.error('Could not export findings to Security Hub', { error: errorName(error) });
    },
  };
}
