import type { Logger } from '@aws-lambda-powertools/logger';
import type { Incident } from '#core/model/incident';
import { type Enrichment, enrichIncident } from '../enrichment/index.ts';
import { errorName } from '../error-name.ts';

/** The analyzer's enrichment hook: the blast radius filled from AWS, or the incident as it was when that fails. */
export function enrichForAlert(enrichment: Enrichment, logger: Logger): (incident: Incident) => Promise<Incident> {
  return async (incident) => {
    try {
      const enriched = await enrichIncident(incident, enrichment);
      if (enriched.problems.length > 0) logger.warn('Some enrichment lookups failed', { incidentId: incident.id, problems: enriched.problems });
      return enriched.incident;
    } catch (error) {
      // Context is a bonus; the alert is not.
      logger.error('Enrichment failed; alerting without it', { incidentId: incident.id, error: errorName(error) });
      return incident;
    }
  };
}
