import { type Config, namespaceCriticality } from '#core/config';
import { type GraphNode, type GraphView, keyParts, nodeKey } from '#core/model/graph';
import type { IncidentWorkload } from '#core/model/incident';
import type { Signal } from '#core/model/signal';
import {
  IMAGE_ATTRS,
  type ImageVulnerability,
  type IncidentImage,
  VULNERABILITY_ATTRS,
  type VulnerabilitySeverity,
  imageVulnerabilityKey,
} from '#core/model/vulnerability';
import { ADMISSION_ATTRS, type AdmissionOutcome } from '#core/link/admission';
import { edgesOf } from './resolve.ts';
import { attr } from './workload.ts';

type RankedVulnerability = IncidentImage['vulnerabilities'][number];

const LISTED = 10;
/** Other digests of the workload and service account searched for the same package version: the deployed lookup by package fills more. */
const SAME_PACKAGE_DIGESTS_MAX = 20;
const SEVERITY_ORDER: VulnerabilitySeverity[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNTRIAGED'];
/** Inspector marks a finding CLOSED once the package is fixed in the image, SUPPRESSED when someone chose to: neither explains the attack. */
const INACTIVE = new Set(['CLOSED', 'SUPPRESSED']);

/**
 * Production, for where an image runs: a namespace configured critical or high (config.namespaces,
 * protectedNamespaces), or a namespace or cluster named prod or production (`prod-east`, `payments-prod`).
 */
export function isProduction(cluster: string, namespace: string, config: Config): boolean {
  const criticality = namespaceCriticality(config, namespace);
  return criticality === 'critical' || criticality === 'high' || PROD_NAME.test(namespace) || PROD_NAME.test(cluster);
}

const PROD_NAME = /(^|[-_.])prod(uction)?($|[-_.])/i;

/**
 * The image behind the incident, from the graph: its vulnerabilities ranked by what matters for
 * this attack, when it was pushed, rolled out and flagged, where else it runs, and what admission
 * said about its rollout. Undefined when no digest is known for the incident's pod. Image facts
 * only explain an incident: they never open one nor change its objectives.
 */
export function incidentImageOf(
  podKey: string | undefined,
  workload: IncidentWorkload,
  signals: readonly Signal[],
  graph: GraphView,
  config: Config,
): IncidentImage | undefined {
  const digest = workload.imageDigest;
  if (!digest) return undefined;
  const image = graph.get(nodeKey.image(digest));
  const pod = podKey ? graph.get(podKey) : undefined;
  const vulnerabilityKeys = edgesOf(image, 'imagevuln|');
  const found = vulnerabilityKeys.map((key) => vulnerabilityOf(key, graph.get(key))).filter((entry) => entry !== undefined);
  const active = found.filter((vulnerability) => !INACTIVE.has(vulnerability.status.toUpperCase()));
  const processes = [...new Set(signals.map((signal) => signal.subject.process).filter((process) => process !== undefined))];
  const ranked = active.map((vulnerability) => ({ ...vulnerability, whyFirst: reasonsFor(vulnerability, processes) })).sort(compareRanked);
  const rollout = rolloutOf(podKey, pod, digest, graph);
  const listed = ranked.slice(0, LISTED).map((vulnerability) => withFlagged(vulnerability, rollout.time));
  const moreBySeverity: IncidentImage['moreBySeverity'] = {};
  for (const vulnerability of ranked.slice(LISTED)) moreBySeverity[vulnerability.severity] = (moreBySeverity[vulnerability.severity] ?? 0) + 1;
  const [cluster, namespace] = podKey ? keyParts(podKey) : [workload.cluster, workload.namespace];
  return {
    digest,
    repository: attr(image, IMAGE_ATTRS.repository),
    pushedAt: attr(image, IMAGE_ATTRS.pushedAt),
    rolledOutAt: rollout.time,
    scanned: attr(image, IMAGE_ATTRS.scannedAt) !== null || found.length > 0,
    production: cluster && namespace ? isProduction(cluster, namespace, config) : false,
    vulnerabilities: listed,
    moreBySeverity,
    runsElsewhere: runsElsewhereOf(image, podKey, digest, graph, config),
    samePackageDigests: samePackageDigestsOf(pod, digest, listed, graph),
    // The attacked pod's own create, else the rollout's first: the same policies admitted both.
    admission: admissionOfRollout([pod, rollout.firstPod].find((node) => attr(node, ADMISSION_ATTRS.outcome) !== null)),
  };
}

function vulnerabilityOf(key: string, node: GraphNode | undefined): ImageVulnerability | undefined {
  // imagevuln|<digest>|<vulnerability id>|<package name>
  const [, id, ...packageParts] = keyParts(key);
  const severity = attr(node, 'severity')?.toUpperCase() as VulnerabilitySeverity | undefined;
  if (!node || !id || packageParts.length === 0 || !severity || !SEVERITY_ORDER.includes(severity)) return undefined;
  const vulnerability: ImageVulnerability = {
    id,
    packageName: packageParts.join('|'),
    installedVersion: attr(node, 'installedVersion') ?? '',
    severity,
    firstObservedAt: attr(node, 'firstObservedAt') ?? '',
    status: attr(node, 'status') ?? 'ACTIVE',
    source: attr(node, 'source') === 'ecr-basic-scan' ? 'ecr-basic-scan' : 'inspector',
  };
  for (const name of VULNERABILITY_ATTRS) {
    const value = node.attrs[name]?.value;
    if (value === undefined || value === '') continue;
    if (name === 'inspectorScore') {
      const score = Number(value);
      if (Number.isFinite(score)) vulnerability.inspectorScore = score;
    } else if (name === 'exploitAvailable' || name === 'networkReachable') {
      vulnerability[name] = value === true || value === 'true';
    } else if (name === 'fixedVersion' || name === 'findingArn' || name === 'packageManager') {
      vulnerability[name] = String(value);
    }
  }
  return vulnerability;
}

/** Why a finding is listed first, as codes: network, exploit, critical or high, process-package. */
function reasonsFor(vulnerability: ImageVulnerability, processes: string[]): string[] {
  const reasons: string[] = [];
  if (vulnerability.networkReachable) reasons.push('network');
  if (vulnerability.exploitAvailable) reasons.push('exploit');
  if (vulnerability.severity === 'CRITICAL') reasons.push('critical');
  if (vulnerability.severity === 'HIGH') reasons.push('high');
  if (processes.some((process) => couldLoad(process, vulnerability))) reasons.push('process-package');
  return reasons;
}

/** Network-reachable, then exploit available, then severity, then a package the process could load, then score; ties by id. */
function compareRanked(a: RankedVulnerability, b: RankedVulnerability): number {
  const has = (entry: RankedVulnerability, reason: string) => (entry.whyFirst.includes(reason) ? 1 : 0);
  const serious = (entry: RankedVulnerability) => (entry.severity === 'CRITICAL' || entry.severity === 'HIGH' ? 1 : 0);
  // Critical and high first: a network-reachable medium is context beside a critical the attacker could also use.
  return (
    serious(b) - serious(a) ||
    has(b, 'network') - has(a, 'network') ||
    has(b, 'exploit') - has(a, 'exploit') ||
    SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) ||
    has(b, 'process-package') - has(a, 'process-package') ||
    (b.inspectorScore ?? 0) - (a.inspectorScore ?? 0) ||
    a.id.localeCompare(b.id) ||
    a.packageName.localeCompare(b.packageName)
  );
}

/** Language runtimes by executable name: the packages that are the runtime, and the package managers of the libraries it loads. */
const RUNTIMES: { executable: RegExp; packages: string[]; managers: string[] }[] = [
  { executable: /^python[0-9.]*$/, packages: ['python', 'libpython', 'cpython'], managers: ['PIP', 'PIPENV', 'POETRY', 'PYTHONPKG'] },
  { executable: /^(node|nodejs)$/, packages: ['nodejs', 'node', 'libnode'], managers: ['NPM', 'YARN', 'NODEPKG'] },
  { executable: /^java$/, packages: ['openjdk', 'java', 'jdk', 'jre', 'temurin', 'corretto'], managers: ['JAR', 'POM'] },
  { executable: /^ruby[0-9.]*$/, packages: ['ruby', 'libruby'], managers: ['BUNDLER', 'GEMSPEC'] },
  { executable: /^php[0-9.]*(-fpm)?$/, packages: ['php'], managers: ['COMPOSER'] },
  { executable: /^perl[0-9.]*$/, packages: ['perl', 'libperl'], managers: [] },
  { executable: /^dotnet$/, packages: ['dotnet', 'aspnetcore'], managers: ['NUGET', 'DOTNET_CORE'] },
];

/**
 * Whether the process GuardDuty saw misbehave could load the package: the package names a part of
 * its path (/usr/sbin/nginx and nginx, /usr/lib/jvm/java-17-openjdk/bin/java and openjdk), or the
 * process is a language runtime and the package is that runtime or one of its libraries.
 */
export function couldLoad(processPath: string, vulnerability: Pick<ImageVulnerability, 'packageName' | 'packageManager'>): boolean {
  const name = vulnerability.packageName.toLowerCase();
  if (name.length < 2) return false;
  const segments = processPath.toLowerCase().split('/').filter(Boolean);
  if (segments.some((segment) => segment === name || segment.split(/[-_.@]/).includes(name))) return true;
  const executable = segments.at(-1) ?? '';
  const runtime = RUNTIMES.find((entry) => entry.executable.test(executable));
  if (!runtime) return false;
  if (vulnerability.packageManager && runtime.managers.includes(vulnerability.packageManager.toUpperCase())) return true;
  return runtime.packages.some((prefix) => name === prefix || name.startsWith(prefix) || name.startsWith(`${prefix}-`));
}

function withFlagged(vulnerability: RankedVulnerability, rolledOutAt: string | null): RankedVulnerability {
  const observed = Date.parse(vulnerability.firstObservedAt);
  const rollout = rolledOutAt ? Date.parse(rolledOutAt) : Number.NaN;
  if (Number.isNaN(observed) || Number.isNaN(rollout)) return vulnerability;
  return { ...vulnerability, flagged: observed <= rollout ? 'before-rollout' : 'after-rollout' };
}

/**
 * When the incident's workload first ran the digest: the earliest pod create pivotguard saw among
 * the workload's pods running it (the pod alone when it has no workload).
 */
function rolloutOf(podKey: string | undefined, pod: GraphNode | undefined, digest: string, graph: GraphView): { time: string | null; firstPod?: GraphNode } {
  const siblings = edgesOf(pod, 'workload|').flatMap((key) => edgesOf(graph.get(key), 'pod|'));
  const keys = [...new Set([...(podKey ? [podKey] : []), ...siblings])];
  let first: { time: number; node: GraphNode } | undefined;
  for (const key of keys) {
    const node = graph.get(key);
    const created = node?.attrs.createdAt?.value;
    if (!node || typeof created !== 'number' || attr(node, 'imageDigest') !== digest) continue;
    if (!first || created < first.time) first = { time: created, node };
  }
  return first ? { time: new Date(first.time).toISOString(), firstPod: first.node } : { time: null };
}

/** Every other pod the graph knows runs the digest now (not deleted, not moved to another digest); production first. */
function runsElsewhereOf(image: GraphNode | undefined, podKey: string | undefined, digest: string, graph: GraphView, config: Config) {
  const elsewhere: IncidentImage['runsElsewhere'] = [];
  for (const key of edgesOf(image, 'pod|')) {
    const node = graph.get(key);
    if (key === podKey || !node || node.attrs.deleted?.value === true || attr(node, 'imageDigest') !== digest) continue;
    const [cluster, namespace, pod] = keyParts(key) as [string, string, string];
    elsewhere.push({ cluster, namespace, pod, production: isProduction(cluster, namespace, config) });
  }
  return elsewhere.sort((a, b) => Number(b.production) - Number(a.production));
}

/**
 * Other digests with the same vulnerable package at the same version, among the images the graph
 * already reached: those the incident's workload and service account ran (earlier rollouts, other
 * containers' images). The graph has no index by package; the deployed lookup fills in the rest.
 */
function samePackageDigestsOf(pod: GraphNode | undefined, digest: string, listed: ImageVulnerability[], graph: GraphView) {
  if (!pod || listed.length === 0) return [];
  const owners = [...edgesOf(pod, 'workload|'), ...edgesOf(pod, 'sa|')];
  const digests = new Set<string>();
  for (const owner of owners) {
    for (const key of edgesOf(graph.get(owner), 'pod|')) {
      const other = attr(graph.get(key), 'imageDigest');
      if (other && other !== digest) digests.add(other);
    }
  }
  const shared: IncidentImage['samePackageDigests'] = [];
  for (const other of [...digests].sort().slice(0, SAME_PACKAGE_DIGESTS_MAX)) {
    const packages = listed
      .filter((vulnerability) => {
        const node = graph.get(imageVulnerabilityKey(other, vulnerability.id, vulnerability.packageName));
        return (
          node !== undefined && attr(node, 'installedVersion') === vulnerability.installedVersion && !INACTIVE.has((attr(node, 'status') ?? '').toUpperCase())
        );
      })
      .map((vulnerability) => `${vulnerability.packageName} ${vulnerability.installedVersion}`);
    if (packages.length > 0)
      shared.push({ digest: other, repository: attr(graph.get(nodeKey.image(other)), IMAGE_ATTRS.repository), packages: [...new Set(packages)] });
  }
  return shared;
}

function admissionOfRollout(pod: GraphNode | undefined): IncidentImage['admission'] {
  const outcome = attr(pod, ADMISSION_ATTRS.outcome) as AdmissionOutcome | null;
  if (!outcome) return { outcome: 'not-checked', details: ['pivotguard did not see the pod created'] };
  let details: unknown;
  try {
    details = JSON.parse(attr(pod, ADMISSION_ATTRS.details) ?? '[]');
  } catch {
    details = [];
  }
  return { outcome, details: Array.isArray(details) ? details.filter((detail): detail is string => typeof detail === 'string') : [] };
}
