import type { Config } from '#core/config';
import type { Incident } from '#core/model/incident';
import { type ContainmentStart, type IncidentUpdate, type ResponseDecision, decideResponse, nextContainment } from '#core/respond/decision';
import { type ExecutionKind, type IncidentResponse, type WorkflowExecution, openResponse, withExecution } from '#core/respond/response';
import type { ResponseStore } from '#core/store/response-store';
import type { IncidentChange } from '#core/store/store';
import { revisionName } from '../containment/execution-names.ts';
import type { ContainmentStarter } from '../containment/workflow-starter.ts';
import type { ExportResult, FindingExporter } from '../security-hub.ts';

/**
 * The respond stage, for the analyzer and the replay alike: each update is alerted on, then its
 * response recorded and its containment started as `decideResponse` says, then the batch's
 * incidents exported as findings. The ports say where each goes.
 */

/** Sends the alert for a change on every channel; never throws (what cannot be sent is kept for a person). */
export interface Notifier {
  notify(change: IncidentChange): Promise<void>;
}

/** What the responder did, for the analyzer's logs and metrics (a replay shows its own way). */
export interface ResponseTelemetry {
  /** This call opened the incident's response: how long detection took. */
  opened(incident: Incident, response: IncidentResponse): void;
  /** An execution was started, or found started already under its name. */
  containment(incidentId: string, execution: StartedExecution): void;
  /** The response could not be recorded or containment not started; the alert is out. */
  notContained(incidentId: string, error: unknown): void;
  exported(result: ExportResult): void;
  notExported(count: number, error: unknown): void;
}

export interface ResponderPorts {
  config: Config;
  notifier: Notifier;
  telemetry: ResponseTelemetry;
  /** When a response happens: the analyzer's clock; a replay's record clock for the incident. */
  clock: (incident: Incident) => Date;
  /** Whether containment runs dry. */
  dryRun: boolean;
  /** Without it, nothing is recorded (and a redelivery cannot tell what was started). */
  responses?: ResponseStore;
  /** Without it, nothing is contained. */
  containment?: ContainmentStarter;
  findings?: FindingExporter;
}

/** What a batch brings to its responses. */
export interface BatchContext {
  /** Fills in what the alert shows (the blast radius); returns the incident as it was when it cannot. */
  enrich?: (incident: Incident) => Promise<Incident>;
  /** When the batch's earliest record reached pivotguard. */
  firstRecordReceivedAt?: string;
}

export interface StartedExecution {
  execution: string;
  kind: ExecutionKind;
  /** False when it existed already: a redelivery, or another analyzer, started it. */
  started: boolean;
  covers: string[];
}

export interface Responded {
  /** The incident as alerted on (enriched). */
  incident: Incident;
  /** The response as last recorded; undefined without a response store. */
  response?: IncidentResponse;
  /** The execution this call started or found started, if any. */
  containment?: StartedExecution;
}

export class Responder {
  constructor(private readonly ports: ResponderPorts) {}

  /** A batch's updates side by side, then their incidents exported as findings together. */
  async respondToBatch(updates: readonly IncidentUpdate[], batch: BatchContext = {}): Promise<Responded[]> {
    const responded = await Promise.all(updates.map((update) => this.respond(update, batch)));
    await this.exportFindings(responded);
    return responded;
  }

  /**
   * The alert first, then the response and containment: a failure of either is reported to
   * telemetry and never undoes the alert.
   */
  async respond(update: IncidentUpdate, batch: BatchContext = {}): Promise<Responded> {
    const incident = batch.enrich ? await batch.enrich(update.incident) : update.incident;
    const full = { ...update, incident };
    if (full.change !== 'unchanged') await this.ports.notifier.notify(full);
    let response: IncidentResponse | undefined;
    let containment: StartedExecution | undefined;
    try {
      const at = this.ports.clock(incident).toISOString();
      const { decision, stored } = await this.record(full, at, batch.firstRecordReceivedAt);
      response = stored;
      if (full.change === 'opened' && decision.opened) this.ports.telemetry.opened(incident, stored ?? decision.response);
      if (this.ports.containment && decision.containment) {
        const contained = await this.contain(this.ports.containment, incident, decision.containment, at);
        response = contained.response ?? response;
        containment = contained.started;
      }
    } catch (error) {
      this.ports.telemetry.notContained(incident.id, error);
    }
    return { incident, response, ...(containment ? { containment } : {}) };
  }

  /** Decided inside the store's update, so the decision is made on what is stored (the store may retry it). */
  private async record(
    update: IncidentUpdate,
    at: string,
    firstRecordReceivedAt: string | undefined,
  ): Promise<{ decision: ResponseDecision; stored?: IncidentResponse }> {
    const decide = (current: IncidentResponse | undefined) =>
      decideResponse({ update, current, at, firstRecordReceivedAt, dryRun: this.ports.dryRun }, this.ports.config);
    if (!this.ports.responses) return { decision: decide(undefined) };
    let decision: ResponseDecision | undefined;
    const stored = await this.ports.responses.updateResponse(update.incident.id, (current) => (decision = decide(current)).response);
    return { decision: decision!, stored };
  }

  /** Names are deterministic (execution-names), so a redelivered batch starts nothing twice. */
  private async contain(
    starter: ContainmentStarter,
    incident: Incident,
    next: ContainmentStart,
    at: string,
  ): Promise<{ response?: IncidentResponse; started?: StartedExecution }> {
    const { dryRun } = this.ports;
    const name = next.kind === 'first' ? undefined : revisionName(incident.id, next.covers);
    const { execution, started } = await starter.start({ ...incident, plan: next.plan }, dryRun, name);
    const run: StartedExecution = { execution, kind: next.kind, started, covers: next.covers };
    this.ports.telemetry.containment(incident.id, run);
    if (next.kind === 'first' && !started) {
      // Another analyzer started the first execution from its own snapshot. What it covers is what it recorded; not
      // recorded yet, a revision takes on the whole plan: what the first did is found done, what it proposed is not asked twice.
      const recorded = await this.ports.responses?.getResponse(incident.id);
      const revision = nextContainment(incident, recorded, dryRun, true);
      return revision ? this.contain(starter, incident, revision, at) : { response: recorded };
    }
    // Recorded once started; a revision even when it existed: its name says what it covers, and whoever started it may have stopped before recording it.
    return { response: await this.recordExecution(incident.id, { execution, startedAt: at, dryRun, covers: next.covers }, next.kind), started: run };
  }

  private async recordExecution(incidentId: string, execution: WorkflowExecution, kind: ExecutionKind): Promise<IncidentResponse | undefined> {
    return this.ports.responses?.updateResponse(incidentId, (current) =>
      withExecution(current ?? openResponse(incidentId, execution.startedAt), execution, kind),
    );
  }

  /** The alerts went out: a failure here is reported, never retried through the batch. */
  private async exportFindings(responded: readonly Responded[]): Promise<void> {
    if (!this.ports.findings || responded.length === 0) return;
    try {
      this.ports.telemetry.exported(await this.ports.findings.export(responded.map(({ incident, response }) => ({ incident, response }))));
    } catch (error) {
      this.ports.telemetry.notExported(responded.length, error);
    }
  }
}
