import {
  type AdvancedEventSelector,
  type CloudTrailClient,
  DescribeTrailsCommand,
  type EventSelector,
  GetEventSelectorsCommand,
  GetTrailStatusCommand,
  type Trail,
} from '@aws-sdk/client-cloudtrail';
import { AwsCallFailed, type CheckResult, ask, cannotTell, fail, ok, warn } from './check.ts';
import { GLOBAL_EVENTS_REGION } from './regions.ts';

const ID = 'trail';

/** Which management events a trail records. */
interface ManagementCoverage {
  reads: boolean;
  writes: boolean;
}

/** How a trail's selectors are written, for a fix in the same form (a trail cannot mix both). */
interface SelectorStyle {
  advanced: boolean;
  /** Whether it also selects data (or other) events, which a put-event-selectors must repeat. */
  hasOthers: boolean;
}

/** What one trail does for pivotguard, best first. */
type TrailVerdict =
  | { kind: 'complete'; trail: Trail }
  | { kind: 'unreadable'; trail: Trail; error: AwsCallFailed }
  | { kind: 'this-region-only'; trail: Trail }
  | { kind: 'partial'; trail: Trail; coverage: ManagementCoverage; selectors: SelectorStyle }
  | { kind: 'no-management-events'; trail: Trail; selectors: SelectorStyle }
  | { kind: 'not-logging'; trail: Trail };

const RANK: TrailVerdict['kind'][] = ['complete', 'unreadable', 'this-region-only', 'partial', 'no-management-events', 'not-logging'];

// Shell-quoted, ready for the fix commands.
const CLASSIC_MANAGEMENT_SELECTORS = `'[{"ReadWriteType":"All","IncludeManagementEvents":true}]'`;
const ADVANCED_MANAGEMENT_SELECTORS = `'[{"Name":"Management events","FieldSelectors":[{"Field":"eventCategory","Equals":["Management"]}]}]'`;

/**
 * EventBridge receives CloudTrail management events only while a trail records them, and
 * pivotguard reads read-only calls too (AssumeRoleWithWebIdentity, GetSecretValue): some trail
 * covering every region must be logging read and write management events. Needs
 * cloudtrail:DescribeTrails, cloudtrail:GetTrailStatus and cloudtrail:GetEventSelectors.
 */
export async function checkTrail(cloudTrail: CloudTrailClient, region: string): Promise<CheckResult> {
  // Shadow trails are the multi-region and organization trails created in another region.
  const { trailList = [] } = await ask('cloudtrail:DescribeTrails', () => cloudTrail.send(new DescribeTrailsCommand({ includeShadowTrails: true })));
  if (trailList.length === 0) {
    return fail(ID, `no CloudTrail trail: EventBridge receives no CloudTrail management events in ${region}`, createTrailCommands(region), { blocking: true });
  }
  const verdicts = await Promise.all(trailList.map((trail) => judgeTrail(cloudTrail, trail)));
  const best = verdicts.sort((a, b) => RANK.indexOf(a.kind) - RANK.indexOf(b.kind))[0]!;
  const name = `trail "${best.trail.Name}"`;
  const home = best.trail.HomeRegion ?? region;
  switch (best.kind) {
    case 'complete':
      return ok(
        ID,
        `${name} logs read and write management events${best.trail.IsMultiRegionTrail ? ' in every region' : ''}${best.trail.IsOrganizationTrail ? ' (organization trail)' : ''}`,
      );
    case 'unreadable':
      return cannotTell(ID, best.error);
    case 'this-region-only':
      return warn(
        ID,
        `${name} logs management events in ${home} only: EventBridge in other regions gets none, so a forwarder in us-east-1 (IAM, sign-in and other global-service events) sees nothing`,
        `aws cloudtrail update-trail --region ${home} --name ${best.trail.Name} --is-multi-region-trail`,
      );
    case 'partial':
      return fail(
        ID,
        `${name} logs only ${best.coverage.writes ? 'write' : 'read-only'} management events: pivotguard also needs ${best.coverage.writes ? 'read-only calls (AssumeRoleWithWebIdentity, GetSecretValue)' : 'write calls'}`,
        selectorsFix(best.trail, home, best.selectors),
        // Without reads, pods are never linked to their credentials; without writes, no change is seen.
        { blocking: true },
      );
    case 'no-management-events':
      return fail(
        ID,
        `no trail logs management events (${name} logs none): EventBridge receives no CloudTrail management events`,
        selectorsFix(best.trail, home, best.selectors),
        {
          blocking: true,
        },
      );
    case 'not-logging':
      return fail(
        ID,
        `no trail is logging (${name} is stopped): EventBridge receives no CloudTrail management events`,
        `aws cloudtrail start-logging --region ${home} --name ${best.trail.Name}`,
        {
          blocking: true,
        },
      );
  }
}

async function judgeTrail(cloudTrail: CloudTrailClient, trail: Trail): Promise<TrailVerdict> {
  // A shadow trail is only addressable by its ARN.
  const trailId = trail.TrailARN ?? trail.Name;
  try {
    const [status, selectors] = await Promise.all([
      ask('cloudtrail:GetTrailStatus', () => cloudTrail.send(new GetTrailStatusCommand({ Name: trailId }))),
      ask('cloudtrail:GetEventSelectors', () => cloudTrail.send(new GetEventSelectorsCommand({ TrailName: trailId }))),
    ]);
    if (!status.IsLogging) return { kind: 'not-logging', trail };
    const { AdvancedEventSelectors: advanced = [], EventSelectors: classic = [] } = selectors;
    const style: SelectorStyle =
      advanced.length > 0
        ? { advanced: true, hasOthers: advanced.some((selector) => !isManagementSelector(selector)) }
        : { advanced: false, hasOthers: classic.some((selector) => (selector.DataResources ?? []).length > 0) };
    const coverage = style.advanced ? advancedCoverage(advanced) : classicCoverage(classic);
    if (!coverage.reads && !coverage.writes) return { kind: 'no-management-events', trail, selectors: style };
    if (!coverage.reads || !coverage.writes) return { kind: 'partial', trail, coverage, selectors: style };
    return coversPivotGuardRegions(trail) ? { kind: 'complete', trail } : { kind: 'this-region-only', trail };
  } catch (error) {
    if (error instanceof AwsCallFailed) return { kind: 'unreadable', trail, error };
    throw error;
  }
}

/** pivotguard reads its own region and us-east-1, where global-service events arrive. */
function coversPivotGuardRegions(trail: Trail): boolean {
  if (trail.IsMultiRegionTrail || trail.IsOrganizationTrail) return true;
  return trail.HomeRegion === GLOBAL_EVENTS_REGION && trail.IncludeGlobalServiceEvents !== false;
}

function classicCoverage(selectors: EventSelector[]): ManagementCoverage {
  // CloudTrail's defaults: management events included, read and write.
  const management = selectors.filter((selector) => selector.IncludeManagementEvents ?? true);
  const types = management.map((selector) => selector.ReadWriteType ?? 'All');
  return {
    reads: types.some((type) => type === 'All' || type === 'ReadOnly'),
    writes: types.some((type) => type === 'All' || type === 'WriteOnly'),
  };
}

function advancedCoverage(selectors: AdvancedEventSelector[]): ManagementCoverage {
  const coverage = { reads: false, writes: false };
  for (const selector of selectors.filter(isManagementSelector)) {
    const { FieldSelectors = [] } = selector;
    const readOnly = FieldSelectors.find((field) => field.Field === 'readOnly');
    // readOnly is the event's field: "true" for reads, "false" for writes; no selector on it means both.
    const records = (value: 'true' | 'false') => !readOnly || ((readOnly.Equals?.includes(value) ?? true) && !readOnly.NotEquals?.includes(value));
    coverage.reads ||= records('true');
    coverage.writes ||= records('false');
  }
  return coverage;
}

function isManagementSelector({ FieldSelectors = [] }: AdvancedEventSelector): boolean {
  return FieldSelectors.some((field) => field.Field === 'eventCategory' && field.Equals?.includes('Management'));
}

function selectorsFix(trail: Trail, home: string, style: SelectorStyle): string {
  const selectors = style.advanced ? `--advanced-event-selectors ${ADVANCED_MANAGEMENT_SELECTORS}` : `--event-selectors ${CLASSIC_MANAGEMENT_SELECTORS}`;
  // put-event-selectors replaces every selector of the trail.
  const keep = style.hasOthers ? "   # add the trail's data-event selectors to this list: it replaces them all" : '';
  return `aws cloudtrail put-event-selectors --region ${home} --trail-name ${trail.Name} ${selectors}${keep}`;
}

function createTrailCommands(region: string): string {
  return [
    `aws cloudtrail create-trail --region ${region} --name management-events --s3-bucket-name BUCKET --is-multi-region-trail   # BUCKET: an S3 bucket whose policy lets CloudTrail write`,
    `aws cloudtrail put-event-selectors --region ${region} --trail-name management-events --event-selectors ${CLASSIC_MANAGEMENT_SELECTORS}`,
    `aws cloudtrail start-logging --region ${region} --name management-events`,
  ].join('\n');
}
