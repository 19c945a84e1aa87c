/** The vulnerable-image scenario through the pipeline, with Inspector's events: the incident the image golden files show. */
import type { Incident } from '#core/model/incident';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { type InspectorFindingInput, inspectorFindingEvent } from '../fixtures/scenarios/inspector.ts';
import { EKS_DEFAULT_ANNOTATIONS, OLD_DIGEST, OPENSSL_INSPECTOR, SUDO_INSPECTOR, vulnerableImageRecords } from '../fixtures/scenarios/vulnerable-image.ts';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

const OPENSSL = OPENSSL_INSPECTOR;

const FINDINGS: InspectorFindingInput[] = [
  OPENSSL,
  SUDO_INSPECTOR,
  {
    ...OPENSSL,
    vulnerabilityId: 'CVE-2023-4444',
    packageName: 'python3.11',
    installedVersion: '3.11.2',
    fixedVersion: undefined,
    severity: 'HIGH',
    score: 7.5,
    exploitAvailable: false,
    attackVector: 'L',
    firstObservedAt: '2026-11-18T09:00:00Z',
  },
  {
    ...OPENSSL,
    vulnerabilityId: 'CVE-2024-5555',
    packageName: 'zlib',
    installedVersion: '1.2.13',
    fixedVersion: '1.3.1',
    severity: 'MEDIUM',
    score: 5.3,
    exploitAvailable: false,
  },
  { ...OPENSSL, digest: OLD_DIGEST, pushedAt: '2026-11-16T09:00:00Z', firstObservedAt: '2026-11-16T09:30:00Z' },
];

/** The incident of a pod whose image carries a network-reachable critical, rolled out with a Pod Security audit violation. */
export async function imageIncident(): Promise<Incident> {
  const records = [
    ...vulnerableImageRecords({
      annotations: {
        ...EKS_DEFAULT_ANNOTATIONS,
        'pod-security.kubernetes.io/audit-violations':
          'would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "app" must set securityContext.allowPrivilegeEscalation=false)',
      },
    }),
    ...FINDINGS.map(inspectorFindingEvent),
  ];
  // Random ids numbered, so the incident is the same on every run.
  let count = 0;
  const numbers = new Map<string, string>();
  const stable = JSON.parse(
    JSON.stringify(records).replace(UUID, (uuid) => {
      if (!numbers.has(uuid)) numbers.set(uuid, `00000000-0000-4000-8000-${String(++count).padStart(12, '0')}`);
      return numbers.get(uuid)!;
    }),
  ) as unknown[];
  const incidents = await incidentsOf(stable);
  if (incidents.length !== 1) throw new Error(`the image scenario opened ${incidents.length} incidents`);
  return incidents[0]!;
}
