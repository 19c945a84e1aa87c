import { describe, expect, it } from 'vitest';
import { normalizeAll } from '../fixtures/normalize.ts';
import { Pipeline } from '#core/pipeline';
import { keyedOnly, memoryStore } from '../fixtures/store.ts';
import { type Config, configSchema } from '#core/config';
import { CLUSTER, cloudTrailRecord, webIdentityAssume } from '../fixtures/records.ts';
import { ATTACKER_IP, NAT_IP, ROLE_ARN, pivotScenario } from '../fixtures/pivot-scenario.ts';
import { shuffle } from '../fixtures/shuffle.ts';

async function incidentsOf(records: unknown[], config: Partial<Config> = {}) {
  const pipeline = new Pipeline(memoryStore(), configSchema.parse(config));
  await pipeline.ingest(normalizeAll(records));
  return pipeline.correlate();
}

describe('correlation', () => {
  it('tells a shell in a pod and outside use of its role as one critical incident', async () => {
    const { incidents } = await incidentsOf(pivotScenario());
    expect(incidents).toHaveLength(1);
    const [incident] = incidents;
    expect(incident).toMatchObject({
      severity: 'critical',
      workload: { cluster: CLUSTER, namespace: 'payments', pod: 'checkout-7d9f8b6c5-x2k4q', owner: 'Deployment/checkout', serviceAccount: 'checkout' },
      identities: [{ roleArn: ROLE_ARN, via: 'irsa', unusualSourceIps: [ATTACKER_IP] }],
    });
    expect(incident!.identities[0]!.sessions[0]).toBe('botocore-session-1763691910');
    expect(incident!.signals.map((signal) => signal.rule).sort()).toEqual([
      'cloudtrail.credentials-outside-egress',
      'cloudtrail.discovery',
      'eks-audit.forbidden-api-call',
      'guardduty.finding',
    ]);
    expect(incident!.signals[0]!.rule).toBe('guardduty.finding');
    expect(incident!.explanation).toBe(
      `GuardDuty reverse shell in pod payments/checkout-7d9f8b6c5-x2k4q (standard namespace payments) was followed within 16 minutes by API calls with the pod's role checkout-irsa from ${ATTACKER_IP}, outside the cluster's egress.`,
    );
    expect(incident!.blastRadius.sameServiceAccountPods).toEqual([`${CLUSTER}/payments/checkout-7d9f8b6c5-m8z2p`]);
  });

  it('gives the same incidents on a store that only answers keyed batch reads, as DynamoDB will', async () => {
    let batchReads = 0;
    const records = pivotScenario();
    const pipeline = new Pipeline(
      keyedOnly(memoryStore(), () => batchReads++),
      configSchema.parse({}),
    );
    await pipeline.ingest(normalizeAll(records));
    const { incidents } = await pipeline.correlate();
    expect(incidents).toEqual((await incidentsOf(records)).incidents);
    expect(batchReads).toBeGreaterThan(0);
    expect(batchReads).toBeLessThan(12);
  });

  it('gives the same incidents for shuffled and duplicated input', async () => {
    const records = pivotScenario();
    const reference = (await incidentsOf(records)).incidents;
    for (let seed = 1; seed <= 8; seed++) {
      const shuffled = shuffle([...records, ...records.slice(0, seed)], seed);
      expect((await incidentsOf(shuffled)).incidents).toEqual(reference);
    }
  });

  it('raises no outside-egress signal for a configured egress address', async () => {
    const { incidents } = await incidentsOf(pivotScenario(), { egressCidrs: [`${ATTACKER_IP}/32`] });
    expect(incidents[0]!.identities[0]!.unusualSourceIps).toEqual([]);
    expect(incidents[0]!.signals.map((signal) => signal.rule)).not.toContain('cloudtrail.credentials-outside-egress');
  });

  it('retracts outside-egress when later records show the address is the cluster egress: two workloads over time', async () => {
    const pipeline = new Pipeline(memoryStore(), configSchema.parse({}));
    await pipeline.ingest(normalizeAll(pivotScenario()));
    const later = [
      ['checkout', '2026-11-21T03:00:00Z'],
      ['ledger', '2026-11-21T03:15:00Z'],
    ].map(([serviceAccount, time], n) =>
      webIdentityAssume({
        time: time!,
        roleName: `${serviceAccount}-irsa`,
        namespace: 'payments',
        serviceAccount: serviceAccount!,
        sessionName: `s${n}`,
        accessKeyId: `ASIAEXAMPLELATER00${n}`,
        sourceIp: ATTACKER_IP,
      }),
    );
    await pipeline.ingest(normalizeAll(later));
    const { incidents, retracted } = await pipeline.correlate();
    expect(retracted).toHaveLength(1);
    expect(incidents[0]!.identities[0]!.unusualSourceIps).toEqual([]);
  });

  it('cannot be trained: the attacker exchanging the stolen token again and again from their address teaches nothing', async () => {
    const pipeline = new Pipeline(memoryStore(), configSchema.parse({}));
    await pipeline.ingest(normalizeAll(pivotScenario()));
    const minted = [1, 2, 3, 4].map((n) =>
      webIdentityAssume({
        time: `2026-11-21T0${n + 2}:00:00Z`,
        roleName: 'checkout-irsa',
        namespace: 'payments',
        serviceAccount: 'checkout',
        sessionName: `s${n}`,
        accessKeyId: `ASIAEXAMPLELATER00${n}`,
        sourceIp: ATTACKER_IP,
      }),
    );
    await pipeline.ingest(normalizeAll(minted));
    const { incidents, retracted } = await pipeline.correlate();
    expect(retracted).toEqual([]);
    expect(incidents[0]!.identities[0]!.unusualSourceIps).toContain(ATTACKER_IP);
  });

  it('does not learn an address as egress from one session alone', async () => {
    const { incidents } = await incidentsOf(pivotScenario({ withEgressLearned: false }));
    // With only the attacker's own session issued from the NAT address, the NAT is not yet known egress.
    expect([...incidents[0]!.identities[0]!.unusualSourceIps].sort()).toEqual([ATTACKER_IP]);
    expect(incidents[0]!.identities[0]!.sourceIps).not.toContain(NAT_IP);
  });

  it('raises severity in critical namespaces and keeps approvals for protected ones', async () => {
    const critical = (await incidentsOf(pivotScenario(), { namespaces: { payments: 'critical' } })).incidents[0]!;
    expect(critical.workload.namespaceCriticality).toBe('critical');
    expect(critical.confidence).toBeGreaterThan((await incidentsOf(pivotScenario())).incidents[0]!.confidence - 0.001);
    const plan = (await incidentsOf(pivotScenario({ namespace: 'kube-system' }))).incidents[0]!.plan;
    expect(plan.automatic.map((action) => action.action)).toEqual(['capture-evidence']);
    expect(plan.approval.map((action) => action.action)).toContain('isolate-pod');
  });

  it('keeps suppressed signals counted and out of incidents', async () => {
    const { incidents, suppressed } = await incidentsOf(pivotScenario(), {
      suppressions: [{ rule: 'eks-audit.*', namespace: 'payments', reason: 'load test', owner: 'platform', expires: new Date('2027-01-01') }],
    });
    expect(suppressed).toHaveLength(1);
    expect(suppressed[0]).toMatchObject({ rule: 'eks-audit.forbidden-api-call', reason: 'load test', owner: 'platform' });
    expect(incidents[0]!.suppressedSignals).toBe(1);
    expect(incidents[0]!.signals.map((signal) => signal.rule)).not.toContain('eks-audit.forbidden-api-call');
  });

  it('ignores an expired suppression', async () => {
    const { suppressed } = await incidentsOf(pivotScenario(), {
      suppressions: [{ rule: 'eks-audit.forbidden-api-call', reason: 'old', owner: 'platform', expires: new Date('2026-01-01') }],
    });
    expect(suppressed).toEqual([]);
  });

  it("lists a change to the pod role's policies under what changed", async () => {
    const policyChange = cloudTrailRecord({
      eventTime: '2026-11-20T18:00:00Z',
      userIdentity: { type: 'IAMUser', arn: 'arn:aws:iam::111122223333:user/ops-bob', accountId: '111122223333', userName: 'ops-bob' },
      eventSource: 'iam.amazonaws.com',
      eventName: 'PutRolePolicy',
      sourceIPAddress: '192.0.2.44',
      requestParameters: { roleName: 'checkout-irsa', policyName: 'allow-ec2', policyDocument: '{}' },
      readOnly: false,
    });
    const { incidents } = await incidentsOf([...pivotScenario(), policyChange]);
    const pivot = incidents.find((incident) => incident.workload.pod === 'checkout-7d9f8b6c5-x2k4q')!;
    expect(pivot.whatChanged.map((change) => change.description)).toContain(
      'role checkout-irsa: inline policy put (allow-ec2) by arn:aws:iam::111122223333:user/ops-bob',
    );
  });

  it('settles incidents a window behind and forgets their signals, keeping the incident', async () => {
    const store = memoryStore();
    const pipeline = new Pipeline(store, configSchema.parse({}));
    await pipeline.ingest(normalizeAll(pivotScenario()));
    const settled = await pipeline.settle(Date.parse('2026-11-23T00:00:00Z'));
    expect(settled.incidents).toHaveLength(1);
    expect(await store.signalsBetween(0, Number.MAX_SAFE_INTEGER)).toEqual([]);
    expect((await pipeline.correlate()).incidents).toEqual([]);
    expect(await store.listIncidents()).toEqual(settled.incidents);
  });

  it('keeps open what is still inside the window when settling', async () => {
    const pipeline = new Pipeline(memoryStore(), configSchema.parse({}));
    await pipeline.ingest(normalizeAll(pivotScenario()));
    expect((await pipeline.settle(Date.parse('2026-11-21T02:00:00Z'))).incidents).toEqual([]);
    expect((await pipeline.correlate()).incidents).toHaveLength(1);
  });

  it('denies only the sessions the evidence ties to the attacker, never a sibling replica’s on a guess', async () => {
    const [incident] = (await incidentsOf(pivotScenario())).incidents;
    const identity = incident!.identities.find((each) => each.roleArn === ROLE_ARN)!;
    // Both sessions were issued to the service account; only one was used from outside and shows in the signals.
    expect(identity.sessions).toEqual(expect.arrayContaining(['botocore-session-1763691910', 'aws-sdk-js-session-1']));
    expect(identity.tiedSessions).toEqual(['botocore-session-1763691910']);
    const revoke = incident!.plan.automatic.find((step) => step.action === 'revoke-role-sessions')!;
    expect(revoke.scope).toEqual(['botocore-session-1763691910']);
    expect(revoke.reason).toMatch(/1 other session/);
  });

  it('plans isolation and scoped revocation automatically, disruptive steps after approval', async () => {
    const { plan } = (await incidentsOf(pivotScenario())).incidents[0]!;
    expect(plan.automatic).toEqual([
      { action: 'capture-evidence', target: `${CLUSTER}/payments/checkout-7d9f8b6c5-x2k4q`, reason: expect.any(String) },
      { action: 'isolate-pod', target: `${CLUSTER}/payments/checkout-7d9f8b6c5-x2k4q`, reason: expect.any(String) },
      {
        action: 'revoke-role-sessions',
        target: ROLE_ARN,
        reason: expect.stringMatching(/botocore-session-1763691910/),
        scope: expect.arrayContaining(['botocore-session-1763691910']),
      },
      // No egress configured here: the step is planned and says why it cannot fence.
      { action: 'fence-role', target: ROLE_ARN, reason: expect.stringMatching(/egressCidrs/), scope: [] },
    ]);
    expect(plan.approval.map((action) => [action.action, action.target])).toEqual([
      ['revoke-all-sessions', ROLE_ARN],
      ['deny-web-identity', ROLE_ARN],
      ['restart-pod', expect.stringMatching(/checkout/)],
      ['scale-down', expect.stringMatching(/checkout/)],
    ]);
  });
});
