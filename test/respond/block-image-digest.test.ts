import { describe, expect, it } from 'vitest';
import { outcomeMessage } from '#adapters/containment/messages';
import { configSchema } from '#core/config';
import type { IncidentImage } from '#core/model/vulnerability';
import { renderReportHtml } from '#core/report/html';
import { computeKpis } from '#core/report/kpis';
import { buildReport } from '#core/report/report';
import { openResponse } from '#core/respond/response';
import { type PlanInput, planContainment } from '#core/respond/plan';
import { imageBlockMessage, rebuildAdvice } from '#core/view/rebuild-words';
import { incident } from '../report/fixtures.ts';
import { OPENSSH_DIGEST as DIGEST, OPENSSH_REPOSITORY as REPOSITORY, openSshFinding as finding, openSshImage as imageWith } from '../fixtures/openssh-image.ts';

const input = (change: { image?: IncidentImage; workloadImage?: string | null; imageDigest?: string | null } = {}): PlanInput => ({
  workload: {
    cluster: 'prod-east',
    namespace: 'shop',
    namespaceCriticality: null,
    pod: 'checkout-7d9f8c6b5-x2k4p',
    owner: 'Deployment/checkout',
    serviceAccount: 'checkout',
    image: change.workloadImage === undefined ? `${REPOSITORY}:2.14.0` : change.workloadImage,
    imageDigest: change.imageDigest === undefined ? DIGEST : change.imageDigest,
    node: null,
  },
  identities: [],
  hostAtRisk: false,
  podStillRunning: true,
  egress: { cidrs: [], vpcIds: [] },
  ...(change.image ? { image: change.image } : {}),
});

const blockSteps = (plan: ReturnType<typeof planContainment>) => ({
  automatic: plan.automatic.filter((step) => step.action === 'block-image-digest'),
  approval: plan.approval.filter((step) => step.action === 'block-image-digest'),
});

describe('block-image-digest: when the plan proposes it', () => {
  it('proposes it for a digest with a critical or high finding, waiting for a person whatever the configuration says', () => {
    const everything = configSchema.parse({ actions: { automatic: ['block-image-digest'], approval: [] } });
    const { automatic, approval } = blockSteps(planContainment(input({ image: imageWith([finding({})]) }), everything));
    expect(automatic).toEqual([]);
    expect(approval).toEqual([
      expect.objectContaining({ target: `prod-east/${DIGEST}`, scope: [DIGEST, `${REPOSITORY}:2.14.0`], reason: expect.stringContaining('CVE-2024-6387') }),
    ]);
  });

  it('matches the digest alone when the pod used the digest itself', () => {
    const { approval } = blockSteps(
      planContainment(input({ image: imageWith([finding({})]), workloadImage: `${REPOSITORY}@${DIGEST}` }), configSchema.parse({})),
    );
    expect(approval[0]?.scope).toEqual([DIGEST]);
  });

  it('does not propose it for low findings, closed or suppressed ones, another digest’s findings, no scan data or no digest', () => {
    const config = configSchema.parse({});
    const none = (planInput: PlanInput) => expect(blockSteps(planContainment(planInput, config)).approval).toEqual([]);
    none(input({ image: imageWith([finding({ severity: 'MEDIUM' }), finding({ severity: 'LOW' })]) }));
    none(input({ image: imageWith([finding({ status: 'CLOSED' }), finding({ status: 'SUPPRESSED', severity: 'HIGH' })]) }));
    none(input({ image: imageWith([finding({})], { digest: `sha256:${'cd34'.repeat(16)}` }) }));
    none(input({ image: imageWith([], { scanned: false }) }));
    none(input());
    none(input({ image: imageWith([finding({})]), imageDigest: null, workloadImage: `${REPOSITORY}:2.14.0` }));
  });

  it('leaves an attacker-written image reference out of the scope, keeping the digest', () => {
    const { approval } = blockSteps(planContainment(input({ image: imageWith([finding({})]), workloadImage: 'x" || true || "' }), configSchema.parse({})));
    expect(approval[0]?.scope).toEqual([DIGEST]);
  });
});

describe('what to rebuild', () => {
  it('names the package, the fixed and installed versions, and the CVEs, package by package', () => {
    const advice = rebuildAdvice(
      imageWith([
        finding({}),
        finding({ id: 'CVE-2023-38408', fixedVersion: '9.3p2', severity: 'HIGH' }),
        finding({ id: 'CVE-2024-3094', packageName: 'xz-utils', installedVersion: '5.6.0', fixedVersion: '5.6.2', severity: 'HIGH' }),
        finding({ id: 'CVE-2024-0001', packageName: 'zlib', installedVersion: '1.2', fixedVersion: '1.3', severity: 'LOW' }),
      ]),
    );
    expect(advice).toBe(
      `rebuild ${REPOSITORY} with openssh 9.8p1 (was 9.6p1), fixing CVE-2024-6387, CVE-2023-38408; with xz-utils 5.6.2 (was 5.6.0), fixing CVE-2024-3094`,
    );
  });

  it('says when no fixed version is known, and says nothing without a serious finding', () => {
    expect(rebuildAdvice(imageWith([finding({ fixedVersion: undefined })]))).toContain('no fixed version is known yet for CVE-2024-6387');
    expect(rebuildAdvice(imageWith([finding({ severity: 'MEDIUM' })]))).toBeUndefined();
  });

  it('is in the outcome email, and in the denial a blocked pod gets', () => {
    const contained = { ...incident('inc-0a1b2c3d4e5f', '2026-11-06T09:00:00Z'), image: imageWith([finding({})]) };
    const email = outcomeMessage(contained, openResponse(contained.id, contained.lastSeen), undefined);
    expect(email).toContain('openssh 9.8p1 (was 9.6p1), fixing CVE-2024-6387');
    const bare = incident('inc-bare', '2026-11-06T09:00:00Z');
    expect(outcomeMessage(bare, openResponse(bare.id, bare.lastSeen), undefined)).not.toContain('rebuild');
    expect(imageBlockMessage(contained.id, contained.image)).toContain('inc-0a1b2c3d4e5f');
  });
});

describe('monthly report: vulnerable root causes', () => {
  it('groups incidents by the top finding’s package@version and the image, with the rest as unknown', () => {
    const at = '2026-11-06T09:00:00Z';
    const vulnerable = imageWith([finding({}), finding({ id: 'CVE-x', packageName: 'zlib', installedVersion: '1.2' })]);
    const incidents = [
      { ...incident('a', at), image: vulnerable },
      { ...incident('b', at), image: vulnerable },
      { ...incident('c', at), image: imageWith([finding({})], { digest: `sha256:${'cd34'.repeat(16)}`, repository: null }) },
      { ...incident('d', at), image: imageWith([], { scanned: false }) },
      incident('e', at),
    ];
    const { rootCauses } = computeKpis({
      incidents,
      responses: [],
      suppressions: [],
      from: new Date('2026-11-01T00:00:00Z'),
      to: new Date('2026-12-01T00:00:00Z'),
      now: new Date('2026-12-02T00:00:00Z'),
    });
    expect(rootCauses.vulnerabilities).toEqual([
      { package: 'openssh@9.6p1', image: `${REPOSITORY}@${DIGEST}`, incidents: 2 },
      { package: 'not scanned', image: `${REPOSITORY}@${DIGEST}`, incidents: 1 },
      { package: 'openssh@9.6p1', image: `sha256:${'cd34'.repeat(16)}`, incidents: 1 },
      { package: 'unknown', image: 'unknown', incidents: 1 },
    ]);
  });

  it('shows the vulnerable packages in the report’s root causes only when some incident has image data', () => {
    const at = '2026-11-06T09:00:00Z';
    const month = (incidents: ReturnType<typeof incident>[]) =>
      renderReportHtml(buildReport({ month: '2026-11', incidents, responses: [], suppressions: [], now: new Date('2026-12-02T00:00:00Z') })).toString();
    const rootCauses = (page: string) =>
      page.slice(page.indexOf('<section id="root-causes">'), page.indexOf('</section>', page.indexOf('<section id="root-causes">')));
    expect(rootCauses(month([{ ...incident('a', at), image: imageWith([finding({})]) }]))).toContain('openssh@9.6p1');
    expect(rootCauses(month([incident('a', at)]))).not.toContain('Vulnerable packages');
  });
});
