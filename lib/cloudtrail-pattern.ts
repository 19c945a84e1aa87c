import type * as events from 'aws-cdk-lib/aws-events';
import type { CloudTrailWatch } from '../functions/core/detect/rule.ts';
import { CLOUDTRAIL_READERS, eventSourceOf } from '../functions/core/detect/watched-sources.ts';

/** EventBridge refuses an event pattern whose JSON is longer than this (its default quota; 4096 only after a quota increase). */
export const MAX_PATTERN_LENGTH = 2048;

const DETAIL_TYPES = ['AWS API Call via CloudTrail', 'AWS Console Sign In via CloudTrail'];

// The codes wasRefused reads (AccessDenied, Client.UnauthorizedOperation, ForbiddenException…); AWS writes them in CamelCase.
const REFUSED = ['*AccessDenied*', '*Unauthorized*', '*Forbidden*'].map((wildcard) => ({ wildcard }));

type Branch = Record<string, unknown>;

/**
 * The EventBridge patterns that forward what the given declarations read and nothing else, as
 * few as fit in EventBridge's size limit: one rule each. Every pattern needs the rule state
 * `ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS`, or the read-only calls named never reach it.
 */
export function cloudTrailEventPatterns(watches: readonly CloudTrailWatch[]): events.EventPattern[] {
  // First fit, largest first: the fewest rules for the branches.
  const pieces = branchesOf(watches)
    .flatMap(fitting)
    .sort((a, b) => JSON.stringify(b).length - JSON.stringify(a).length);
  const patterns: Branch[][] = [];
  for (const piece of pieces) {
    const room = patterns.find((branches) => renderedLength([...branches, piece]) <= MAX_PATTERN_LENGTH);
    if (room) room.push(piece);
    else patterns.push([piece]);
  }
  return patterns.map((branches) => {
    if (renderedLength(branches) > MAX_PATTERN_LENGTH)
      throw new Error(`a CloudTrail pattern cannot fit in ${MAX_PATTERN_LENGTH} characters: ${JSON.stringify(branches)}`);
    return { detailType: DETAIL_TYPES, detail: detailOf(branches) };
  });
}

/** What every CloudTrail reader declares (rules, the outside-egress detection, the identity graph). */
export const CLOUDTRAIL_EVENT_PATTERNS: events.EventPattern[] = cloudTrailEventPatterns(CLOUDTRAIL_READERS.map(({ watch }) => watch));

/** One alternative per catch-all, and one per list of names; sources that read the same names share one. */
function branchesOf(watches: readonly CloudTrailWatch[]): Branch[] {
  const branches: Branch[] = [];
  if (watches.some((watch) => watch.writes)) branches.push({ readOnly: [false] });
  if (watches.some((watch) => watch.refusals)) branches.push({ errorCode: REFUSED });
  if (watches.some((watch) => watch.root)) branches.push({ userIdentity: { type: ['Root'] } });
  const namesBySource = new Map<string, Set<string>>();
  for (const call of watches.flatMap((watch) => watch.calls ?? [])) {
    const source = eventSourceOf(call);
    const name = call.slice(source.length + 1);
    if (!source.endsWith('.amazonaws.com') || !/^[A-Za-z0-9]+\*?$/.test(name)) throw new Error(`"${call}" is not eventSource:eventName`);
    if (!namesBySource.has(source)) namesBySource.set(source, new Set());
    namesBySource.get(source)!.add(name);
  }
  const sourcesByNames = new Map<string, string[]>();
  for (const [source, names] of [...namesBySource].sort(([a], [b]) => a.localeCompare(b))) {
    const key = [...names].sort().join(' ');
    sourcesByNames.set(key, [...(sourcesByNames.get(key) ?? []), source]);
  }
  for (const [names, sources] of sourcesByNames) {
    branches.push({ eventSource: sources, eventName: names.split(' ').map((name) => (name.endsWith('*') ? { prefix: name.slice(0, -1) } : name)) });
  }
  return branches;
}

/** A branch too long for one pattern, split into branches of fewer names. */
function fitting(branch: Branch): Branch[] {
  const names = branch.eventName;
  if (renderedLength([branch]) <= MAX_PATTERN_LENGTH || !Array.isArray(names) || names.length < 2) return [branch];
  const half = Math.ceil(names.length / 2);
  return [...fitting({ ...branch, eventName: names.slice(0, half) }), ...fitting({ ...branch, eventName: names.slice(half) })];
}

function detailOf(branches: Branch[]): Branch {
  return branches.length === 1 ? branches[0]! : { $or: branches };
}

/** The pattern's JSON as CloudFormation gives it to EventBridge (CDK writes `detailType` as `detail-type`). */
function renderedLength(branches: Branch[]): number {
  return JSON.stringify({ 'detail-type': DETAIL_TYPES, detail: detailOf(branches) }).length;
}
