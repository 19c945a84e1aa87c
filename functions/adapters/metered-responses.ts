import type { Metrics } from '@aws-lambda-powertools/metrics';
import type { IncidentResponse } from '#core/respond/response';
import type { ResponseStore } from '#core/store/response-store';
import { containmentMetrics } from './response-metrics.ts';

/**
 * A response store that emits the containment and lifecycle KPIs for every change it stores, so
 * whichever step records a containment, an undo or a resolution, the dashboard hears of it once.
 */
export function meteredResponses(store: ResponseStore, metrics: Metrics): ResponseStore {
  return {
    getResponse: (incidentId) => store.getResponse(incidentId),
    listResponses: () => store.listResponses(),
    putApprovalToken: (incidentId, nonce, taskToken) => store.putApprovalToken(incidentId, nonce, taskToken),
    takeApprovalToken: (incidentId, nonce) => store.takeApprovalToken(incidentId, nonce),
    async updateResponse(incidentId, change) {
      // The store may call `change` again after a conflict; the last call saw what was replaced.
      let before: IncidentResponse | undefined;
      const stored = await store.updateResponse(incidentId, (current) => {
        before = current;
        return change(current);
      });
      containmentMetrics(metrics, before, stored);
      return stored;
    },
  };
}
