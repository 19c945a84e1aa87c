import type { ImageVulnerability, IncidentImage } from '#core/model/vulnerability';
import { isSeriousFinding } from '#core/respond/image-block';

/** How many packages one sentence names before it says how many more. */
const PACKAGES_NAMED = 3;

interface PackageFix {
  packageName: string;
  installedVersion: string;
  /** The highest fixed version among its findings: the one that fixes them all. */
  fixedVersion: string | undefined;
  /** The findings the fixed version fixes. */
  ids: string[];
  /** The findings no fixed version is known for. */
  unfixedIds: string[];
}

/**
 * What to rebuild, in one sentence: "rebuild <repository> with <package> <fixed> (was <installed>),
 * fixing CVE-…", package by package in the order the incident ranks its findings. Undefined when
 * the image has no serious finding.
 */
export function rebuildAdvice(image: IncidentImage): string | undefined {
  const fixes = packageFixes(image.vulnerabilities.filter(isSeriousFinding));
  if (fixes.length === 0) return undefined;
  const repository = image.repository ?? image.digest;
  const parts = fixes.slice(0, PACKAGES_NAMED).map(({ packageName, installedVersion, fixedVersion, ids, unfixedIds }) => {
    const unfixed = unfixedIds.length > 0 ? ` (no fixed version is known yet for ${unfixedIds.join(', ')})` : '';
    return fixedVersion
      ? `${packageName} ${fixedVersion} (was ${installedVersion}), fixing ${ids.join(', ')}${unfixed}`
      : `${packageName} ${installedVersion} removed or replaced${unfixed}`;
  });
  const more = fixes.length > PACKAGES_NAMED ? `, and ${fixes.length - PACKAGES_NAMED} more vulnerable packages` : '';
  return `rebuild ${repository} with ${parts.join('; with ')}${more}`;
}

/** The incident's top finding as its report groups it: package@installedVersion. */
export function topVulnerablePackage(image: IncidentImage | undefined): string | undefined {
  const top = image?.vulnerabilities[0];
  return top ? `${top.packageName}@${top.installedVersion}` : undefined;
}

function packageFixes(vulnerabilities: readonly ImageVulnerability[]): PackageFix[] {
  const byPackage = new Map<string, PackageFix>();
  for (const vulnerability of vulnerabilities) {
    const key = `${vulnerability.packageName}@${vulnerability.installedVersion}`;
    const fix = byPackage.get(key) ?? {
      packageName: vulnerability.packageName,
      installedVersion: vulnerability.installedVersion,
      fixedVersion: undefined,
      ids: [],
      unfixedIds: [],
    };
    byPackage.set(key, fix);
    const ids = vulnerability.fixedVersion ? fix.ids : fix.unfixedIds;
    if (!ids.includes(vulnerability.id)) ids.push(vulnerability.id);
    if (vulnerability.fixedVersion && (!fix.fixedVersion || compareVersions(vulnerability.fixedVersion, fix.fixedVersion) > 0)) {
      fix.fixedVersion = vulnerability.fixedVersion;
    }
  }
  return [...byPackage.values()];
}

/** Dotted versions by their numbers ("3.0.13" after "3.0.9"); good enough to pick the fix that covers every finding of a package. */
function compareVersions(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** What a pod refused by the image block is told: which incident, and what to fix before the block is undone. */
export function imageBlockMessage(incidentId: string, image: IncidentImage | undefined): string {
  const advice = image ? rebuildAdvice(image) : undefined;
  const fix = advice ? `${advice}` : 'rebuild it from a fixed base and push it as a new digest';
  return `pivotguard incident ${incidentId} blocked this image: ${fix}; then deploy the new digest, and undo with npx pivotguard undo ${incidentId} block-image-digest`;
}
