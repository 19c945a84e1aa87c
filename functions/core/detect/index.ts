import type { SecurityEvent } from '#core/model/event';
import type { Signal } from '#core/model/signal';
import { type Rule, type RuleMatch, RuleFailed, dispatchKey, toSignal } from './rule.ts';
import { auditRules, cloudTrailRules, guardDutyRules } from './rules/index.ts';

export { outsideEgressSignals, isWorkloadSession } from './outside-egress.ts';
export { egressReason, isClusterEgress } from './cluster-egress.ts';

// Keys are record text: only so many, of a sensible length, are remembered.
const MAX_REMEMBERED_KEYS = 4096;
const MAX_REMEMBERED_KEY_LENGTH = 256;

/** A source's rules by dispatch key, in their fixed order: each record meets only the rules that can match it. */
class RuleDispatch {
  private readonly byKey = new Map<string, readonly Rule<SecurityEvent>[]>();

  constructor(private readonly rules: readonly Rule<SecurityEvent>[]) {}

  rulesFor(key: string): readonly Rule<SecurityEvent>[] {
    let rules = this.byKey.get(key);
    if (rules) return rules;
    rules = this.rules.filter((rule) => !rule.canMatch || rule.canMatch(key));
    if (this.byKey.size < MAX_REMEMBERED_KEYS && key.length <= MAX_REMEMBERED_KEY_LENGTH) this.byKey.set(key, rules);
    return rules;
  }
}

const dispatch = {
  'eks-audit': new RuleDispatch(auditRules as readonly Rule<SecurityEvent>[]),
  cloudtrail: new RuleDispatch(cloudTrailRules as readonly Rule<SecurityEvent>[]),
  guardduty: new RuleDispatch(guardDutyRules as readonly Rule<SecurityEvent>[]),
  // A vulnerable image is posture, not an attack: scan results teach the graph and raise nothing.
  inspector: new RuleDispatch([]),
};

/**
 * The detect stage for one event: every rule of its source that can match it (see
 * Rule.canMatch), in a fixed order. A rule that throws is named in a RuleFailed.
 */
export function detect(event: SecurityEvent): Signal[] {
  let signals: Signal[] | undefined;
  for (const rule of dispatch[event.source].rulesFor(dispatchKey(event))) {
    let match: RuleMatch | undefined;
    try {
      match = rule.match(event);
    } catch (error) {
      throw new RuleFailed(rule.id, error);
    }
    if (!match) continue;
    const signal = toSignal(rule, event, match);
    if (event.source === 'guardduty') signal.revision = event.updatedAt;
    (signals ??= []).push(signal);
  }
  return signals ?? [];
}
