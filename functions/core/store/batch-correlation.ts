import type { Config } from '#core/config';
import { kindOf } from '#core/model/graph';
import type { Signal } from '#core/model/signal';
import { type CorrelationResult, correlate } from '#core/correlate/index';
import { type Filing, RESOLUTION_READ_KINDS, filingOf, mayOpenIncident } from '#core/correlate/filing';
import { type GraphSource, graphSourceOf } from './demand-graph.ts';
import { SIGNAL_KEEP_WINDOWS } from './retention.ts';
import { type FiledSignal, type Store, newestFilings } from './store.ts';

/** What one batch did to the store: the signals it raised and the nodes it taught something. */
export interface BatchChanges {
  signals: readonly Signal[];
  learned: ReadonlySet<string>;
  /** The newest event time in the batch. */
  newest: number;
}

/**
 * Correlates what one batch can change or join, and only that: its own signals, the filed
 * signals whose resolution read a node it changed, and every filed signal that joins any of
 * those, transitively (the closure over shared anchors within the window, as group.ts joins
 * them). The result is a union of whole groups, so each incident in it is the one a correlation
 * of every signal would give. Signals whose resolution grew are filed under their new keys.
 */
export async function correlateBatch(store: Store, config: Config, batch: BatchChanges): Promise<CorrelationResult> {
  const windowMs = config.windowHours * 3600_000;
  const closure = new Closure(store, graphSourceOf(store), config, windowMs);
  await closure.seed(batch, batch.newest - SIGNAL_KEEP_WINDOWS * windowMs);
  await closure.close();
  let result: CorrelationResult = { incidents: [], groups: [], retracted: [], suppressed: [], contextOnlyGroups: 0 };
  if (mayOpenIncident(closure.signals)) {
    // An incident is at stake: every member's anchors as they are now, not as last filed.
    while (await closure.resolveAll()) await closure.close();
    result = await closure.correlate();
  }
  await closure.fileChanged();
  return result;
}

interface Member {
  signal: Signal;
  /** The anchors it joins the closure by: as filed, or as resolved now and as filed before. */
  anchors: string[];
  stored?: FiledSignal;
  fresh?: Filing;
}

class Closure {
  private readonly members = new Map<string, Member>();
  /** Member times by anchor, to tell whether a filed signal joins one of them. */
  private readonly timesByAnchor = new Map<string, number[]>();
  /** Times already looked up per anchor (one span each). */
  private readonly looked = new Map<string, { from: number; to: number }>();
  private frontier: { anchor: string; time: number }[] = [];
  /** Weak signals outside the closure that read more than they were filed under. */
  private readonly refiled: FiledSignal[] = [];

  constructor(
    private readonly store: Store,
    private readonly graph: GraphSource,
    private readonly config: Config,
    private readonly windowMs: number,
  ) {}

  get signals(): Signal[] {
    return [...this.members.values()].map((member) => member.signal);
  }

  /**
   * The batch's signals, and the filed signals under the nodes it taught something that now
   * resolve differently: a weak one whose anchors moved, any strong one (its incident reads what
   * it resolves to). Their anchors as filed are followed too, so the group a signal left is
   * rebuilt without it. A weak signal that only read more is filed again, nothing more.
   */
  async seed(batch: BatchChanges, since: number): Promise<void> {
    const raised = newestFilings(batch.signals.map((signal) => ({ signal: withoutEvidence(signal), keys: [], anchors: [] }))).map((filing) => filing.signal);
    const raisedIds = new Set(raised.map((signal) => signal.id));
    const lookups = [...batch.learned]
      .filter((key) => RESOLUTION_READ_KINDS.has(kindOf(key)))
      .map((key) => ({ key, from: since, to: Number.MAX_SAFE_INTEGER }));
    const changed = lookups.length > 0 ? (await this.store.filedUnder(lookups)).filter((filing) => !raisedIds.has(filing.signal.id)) : [];
    const fresh = await this.filings([...raised, ...changed.map((filing) => filing.signal)]);
    raised.forEach((signal, index) => this.add({ signal, anchors: fresh[index]!.anchors, fresh: fresh[index] }));
    changed.forEach((stored, index) => {
      const filing = fresh[raised.length + index]!;
      if (mayOpenIncident([stored.signal]) || !sameList(stored.anchors, filing.anchors)) {
        this.add({ signal: stored.signal, anchors: union(filing.anchors, stored.anchors), stored, fresh: filing });
      } else if (!contains(stored.keys, filing.keys)) {
        this.refiled.push({ ...stored, keys: union(stored.keys, filing.keys) });
      }
    });
  }

  /** Filed signals joining a member, until none does. */
  async close(): Promise<void> {
    while (this.frontier.length > 0) {
      const needed = new Map<string, { from: number; to: number }>();
      for (const { anchor, time } of this.frontier) {
        const span = { from: time - this.windowMs, to: time + this.windowMs };
        const looked = this.looked.get(anchor);
        if (looked && looked.from <= span.from && looked.to >= span.to) continue;
        const need = needed.get(anchor);
        needed.set(anchor, need ? { from: Math.min(need.from, span.from), to: Math.max(need.to, span.to) } : span);
      }
      this.frontier = [];
      if (needed.size === 0) return;
      for (const [anchor, span] of needed) {
        const looked = this.looked.get(anchor);
        this.looked.set(anchor, looked ? { from: Math.min(looked.from, span.from), to: Math.max(looked.to, span.to) } : span);
      }
      const found = await this.store.filedUnder([...needed].map(([key, span]) => ({ key, ...span })));
      for (const filing of found) {
        const member = this.members.get(filing.signal.id);
        if (!member) {
          if (this.joins(filing)) this.add({ signal: filing.signal, anchors: filing.anchors, stored: filing });
        } else if ((filing.signal.revision ?? 0) > (member.signal.revision ?? 0)) {
          // A late copy of an older revision: the store keeps the newer one, and so does correlation.
          Object.assign(member, { signal: filing.signal, stored: filing, fresh: undefined });
        } else {
          member.stored ??= filing;
        }
      }
    }
  }

  /** Resolves every member not yet resolved in this batch; true when that gave one an anchor not followed yet. */
  async resolveAll(): Promise<boolean> {
    const pending = [...this.members.values()].filter((member) => !member.fresh);
    const fresh = await this.filings(pending.map((member) => member.signal));
    let grew = false;
    pending.forEach((member, index) => {
      member.fresh = fresh[index]!;
      for (const anchor of member.fresh.anchors) {
        if (member.anchors.includes(anchor)) continue;
        member.anchors.push(anchor);
        this.follow(anchor, member.signal.time);
        grew = true;
      }
    });
    return grew;
  }

  correlate(): Promise<CorrelationResult> {
    const signals = this.signals;
    return this.graph.run((graph) => correlate(signals, graph, this.config));
  }

  /** Files the batch's signals, and every signal whose filing grew: under every key it had and has. */
  async fileChanged(): Promise<void> {
    const filings = [...this.refiled];
    for (const member of this.members.values()) {
      const { fresh, stored } = member;
      if (!fresh) continue;
      if (stored && contains(stored.keys, fresh.keys) && sameList(stored.anchors, fresh.anchors)) continue;
      filings.push({ signal: member.signal, keys: union(stored?.keys ?? [], fresh.keys), anchors: fresh.anchors });
    }
    if (filings.length > 0) await this.store.fileSignals(filings);
  }

  private filings(signals: readonly Signal[]): Promise<Filing[]> {
    if (signals.length === 0) return Promise.resolve([]);
    return this.graph.run((graph) => signals.map((signal) => filingOf(signal, graph, this.config)));
  }

  private add(member: Member): void {
    this.members.set(member.signal.id, member);
    for (const anchor of member.anchors) this.follow(anchor, member.signal.time);
  }

  private follow(anchor: string, time: number): void {
    const times = this.timesByAnchor.get(anchor);
    if (times) times.push(time);
    else this.timesByAnchor.set(anchor, [time]);
    this.frontier.push({ anchor, time });
  }

  /** Whether a filed signal shares an anchor with a member within the window: then they are in one group (group.ts). */
  private joins(filing: FiledSignal): boolean {
    return filing.anchors.some((anchor) => this.timesByAnchor.get(anchor)?.some((time) => Math.abs(time - filing.signal.time) <= this.windowMs));
  }
}

function withoutEvidence(signal: Signal): Signal {
  return { ...signal, evidence: null };
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}

function contains(all: readonly string[], some: readonly string[]): boolean {
  return some.every((key) => all.includes(key));
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item, index) => item === b[index]);
}
