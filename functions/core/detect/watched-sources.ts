import type { CloudTrailWatch } from './rule.ts';
import { cloudTrailRules } from './rules/index.ts';
import { OUTSIDE_EGRESS_RULE } from './outside-egress.ts';
import { CLOUDTRAIL_FACTS_WATCH } from '#core/link/cloudtrail-facts';

export interface CloudTrailReader {
  /** A rule id, or `link` for the identity graph. */
  reader: string;
  watch: CloudTrailWatch;
}

/**
 * Everything that reads CloudTrail, with what it declares it reads: the rule pack, the
 * graph-aware detection and the identity graph. The deployed EventBridge rules are derived from
 * this list (lib/cloudtrail-pattern.ts), so that per-event cost follows what is used.
 */
export const CLOUDTRAIL_READERS: readonly CloudTrailReader[] = [
  ...cloudTrailRules.map((rule) => {
    // A rule without a declaration would silently never see a record once deployed.
    if (!rule.watches) throw new Error(`CloudTrail rule ${rule.id} declares no watches`);
    return { reader: rule.id, watch: rule.watches };
  }),
  { reader: OUTSIDE_EGRESS_RULE.id, watch: OUTSIDE_EGRESS_RULE.watches },
  { reader: 'link', watch: CLOUDTRAIL_FACTS_WATCH },
];

/** The event source of a declared call (`iam.amazonaws.com` of `iam.amazonaws.com:CreateUser`). */
export function eventSourceOf(call: string): string {
  return call.slice(0, call.indexOf(':'));
}

/** The CloudTrail event sources the readers name calls of. */
export const WATCHED_EVENT_SOURCES: readonly string[] = [...new Set(CLOUDTRAIL_READERS.flatMap(({ watch }) => (watch.calls ?? []).map(eventSourceOf)))].sort();
