import type { Config } from '#core/config';
import type { Incident } from '#core/model/incident';
import { severityRank } from '#core/model/signal';
import { type IncidentUpdate, shouldContain } from '#core/respond/decision';
import type { ResponseStore } from '#core/store/response-store';
import { incidentChange } from '#core/store/store';
import { type LocalContainmentOptions, type LocalContainmentResult, LocalWorkflow } from '../local/local-containment.ts';
import { type Notifier, Responder, type ResponseTelemetry } from './responder.ts';

export interface ReplayResponseOptions {
  config: Config;
  /** The local state's responses. */
  responses: ResponseStore;
  /** The incident as earlier replays into the same state left it. */
  previous: (incidentId: string) => Promise<Incident | undefined>;
  /** With --contain: how the local workflow runs, and whether it runs dry. */
  containment?: Omit<LocalContainmentOptions, 'responses'> & { dryRun: boolean };
}

/** The replay prints every incident in full: that is its alert. */
const PRINTED_BY_THE_REPLAY: Notifier = { notify: async () => {} };

/** A replay has nobody to page and no dashboard: what the analyzer would log and count, a replay's output shows, and a failure stops it. */
const REPLAY_TELEMETRY: ResponseTelemetry = {
  opened: () => {},
  containment: () => {},
  notContained: (_, error) => {
    throw error;
  },
  exported: () => {},
  notExported: (_, error) => {
    throw error;
  },
};

/**
 * The respond stage of `pivotguard replay`: the analyzer's Responder with local mode's adapters.
 * Each incident is recorded as opened, escalated or unchanged since earlier replays into the same
 * state, and, with --contain, contained by the local workflow when severe enough, as the analyzer
 * would: an incident whose plan earlier replays took on entirely is not contained again, one whose
 * plan grew gets a revision for the new steps only. Returns what containment did for each
 * incident severe enough (none without --contain).
 */
export async function respondToReplay(incidents: readonly Incident[], options: ReplayResponseOptions): Promise<LocalContainmentResult[]> {
  const { config, containment } = options;
  const workflow = containment && new LocalWorkflow({ ...containment, responses: options.responses });
  const responder = new Responder({
    config,
    notifier: PRINTED_BY_THE_REPLAY,
    telemetry: REPLAY_TELEMETRY,
    clock: (incident) => new Date(replayOpenedAt(incident, config)),
    dryRun: containment?.dryRun ?? false,
    responses: options.responses,
    containment: workflow,
  });
  const results: LocalContainmentResult[] = [];
  try {
    // One incident after another: the local workflow runs each execution to its end on shared stand-ins.
    for (const incident of incidents) {
      const update: IncidentUpdate = incidentChange(await options.previous(incident.id), incident) ?? { incident, change: 'unchanged' };
      const responded = await responder.respond(update);
      if (!workflow || !shouldContain(incident, config)) continue;
      const ran = responded.containment && workflow.resultOf(incident.id);
      if (ran) {
        results.push(ran);
      } else {
        containment.onStep?.(`${incident.id}: an earlier replay contained it already; nothing new to do`);
        results.push({ incident, response: responded.response!, policies: {}, emails: [] });
      }
    }
  } finally {
    await workflow?.stop();
  }
  return results;
}

/**
 * When a live pivotguard would have opened the incident: at its first signal as severe as the
 * incident is, or severe enough to contain. A replay reads records faster than they happened,
 * so record time is the only clock it has; the same records give the same timestamps every run.
 */
export function replayOpenedAt(incident: Incident, config: Config): string {
  const first = incident.signals
    .filter((signal) => severityRank[signal.severity] >= severityRank[incident.severity] || shouldContain(signal, config))
    .map((signal) => signal.time)
    .sort()[0];
  return first ?? incident.firstSeen;
}
