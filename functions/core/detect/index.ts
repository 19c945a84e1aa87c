import type { SecurityEvent } from '#core/model/event';
import type { Signal } from '#core/model/signal';
import { type Rule, type RuleMatch, RuleFailed, toSignal } from './rule.ts';
import { auditRules, cloudTrailRules, guardDutyRules } from './rules/index.ts';

export { outsideEgressSignals, isClusterEgress, isWorkloadSession } from './outside-egress.ts';

/** The detect stage for one event: every rule of its source, in a fixed order. A rule that throws is named in a RuleFailed. */
export function detect(event: SecurityEvent): Signal[] {
  const rules = (
    event.source === 'eks-audit' ? auditRules : event.source === 'cloudtrail' ? cloudTrailRules : guardDutyRules
  ) as readonly Rule<SecurityEvent>[];
  let signals: Signal[] | undefined;
  for (const rule of rules) {
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
