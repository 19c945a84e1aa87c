import { evaluate } from '@marcbachmann/cel-js';
import { ValidatingAdmissionPolicy } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy';
import { ValidatingAdmissionPolicyBinding } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RunContext } from '#adapters/containment/actions/adapter';
import { ACTION_ADAPTERS, undoRunnerFor } from '#adapters/containment/actions/registry';
import { KubernetesContainment } from '#adapters/kubernetes/containment';
import { type KubeObject, KubeApiFake } from '#adapters/local/kube-api-fake';
import { actionDescriptor } from '#core/actions/registry';
import type { Incident, PlannedAction } from '#core/model/incident';
import type { IncidentImage } from '#core/model/vulnerability';
import type { ActionRecord } from '#core/respond/action';
import { type ImageBlockMatch, UnsafeImageBlock, imageBlockObjects } from '#core/respond/image-block';
import type { ReversibleRecord } from '#core/respond/undo-plan';
import { OPENSSH_DIGEST as DIGEST, OPENSSH_REPOSITORY as REPOSITORY, openSshFinding, openSshImage } from '../fixtures/openssh-image.ts';

const CLUSTER = 'prod-east';
const INCIDENT = 'inc-0a1b2c3d4e5f';
const NAME = `pivotguard-block-${INCIDENT}`;
const OTHER_DIGEST = `sha256:${'cd34'.repeat(16)}`;
const TAGGED = `${REPOSITORY}:2.14.0`;
const AT = '2026-11-06T10:00:00.000Z';

const image: IncidentImage = openSshImage([openSshFinding({ whyFirst: ['network-reachable'] })], {
  pushedAt: '2026-11-06T09:00:00Z',
  rolledOutAt: '2026-11-06T09:05:00Z',
});

const incident = {
  id: INCIDENT,
  title: 'Reverse shell in checkout',
  severity: 'critical',
  firstSeen: AT,
  lastSeen: AT,
  workload: {
    cluster: CLUSTER,
    namespace: 'shop',
    namespaceCriticality: null,
    pod: 'checkout-7d9f8c6b5-x2k4p',
    owner: 'Deployment/checkout',
    serviceAccount: 'checkout',
    image: TAGGED,
    imageDigest: DIGEST,
    node: null,
  },
  identities: [],
  image,
} as unknown as Incident;

let fake: KubeApiFake;
let containment: KubernetesContainment;

beforeAll(async () => {
  fake = await KubeApiFake.start();
  containment = new KubernetesContainment(fake.kubeConfig(CLUSTER), { clock: () => new Date(AT) });
});
afterAll(async () => {
  await fake.stop();
});
beforeEach(() => fake.reset());

/** The step as the plan proposes it for the incident above. */
function plannedStep(): PlannedAction {
  const [proposal] = actionDescriptor('block-image-digest').propose({
    workload: incident.workload,
    identities: [],
    hostAtRisk: false,
    podStillRunning: true,
    egress: { cidrs: [], vpcIds: [] },
    image,
  });
  return { action: 'block-image-digest', ...proposal! };
}

function run(action: PlannedAction, dryRun = false): Promise<ActionRecord> {
  const context: RunContext = {
    incident,
    action,
    dryRun,
    target: { incidentId: INCIDENT, cluster: CLUSTER, namespace: 'shop', pod: 'checkout-7d9f8c6b5-x2k4p', dryRun },
    iam: {} as RunContext['iam'],
    kubernetes: async () => containment,
    recordNow: (result, detail) => ({ action: action.action, incidentId: INCIDENT, target: action.target, startedAt: AT, finishedAt: AT, result, detail }),
  };
  return ACTION_ADAPTERS['block-image-digest'].run(context);
}

function undo(record: ActionRecord, dryRun = false) {
  const runner = undoRunnerFor(record as ReversibleRecord);
  if (!runner) throw new Error('no undo runner');
  return runner({ record: record as ReversibleRecord, incidentId: INCIDENT, dryRun, iam: {} as never, kubernetes: async () => containment });
}

const policyOf = () => fake.object('validatingadmissionpolicies', undefined, NAME);
const bindingOf = () => fake.object('validatingadmissionpolicybindings', undefined, NAME);

describe('block-image-digest against the Kubernetes API', () => {
  it('dry run reads, creates nothing and records the undo it would carry', async () => {
    const record = await run(plannedStep(), true);
    expect(record).toMatchObject({ result: 'dry-run', target: `${CLUSTER}/${DIGEST}` });
    expect(record.undo).toEqual({ kind: 'delete-admission-block', cluster: CLUSTER, incidentId: INCIDENT, policy: NAME, binding: NAME });
    expect(fake.mutations()).toEqual([]);
  });

  it('creates the policy, then the binding, both valid against the published Kubernetes schemas', async () => {
    const record = await run(plannedStep());
    expect(record.result).toBe('applied');
    expect(fake.mutations().map((request) => [request.method, request.path])).toEqual([
      ['POST', '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies'],
      ['POST', '/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings'],
    ]);
    const [policyBody, bindingBody] = fake.mutations().map((request) => request.body as Record<string, unknown>);
    expect(() => new ValidatingAdmissionPolicy(policyBody as never).validate()).not.toThrow();
    expect(() => new ValidatingAdmissionPolicyBinding(bindingBody as never).validate()).not.toThrow();
    expect(policyBody).toMatchObject({
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: { resourceRules: [{ apiGroups: [''], operations: ['CREATE', 'UPDATE'], resources: ['pods', 'pods/ephemeralcontainers'] }] },
        variables: [{ name: 'blocked' }, { name: 'blockedBefore' }],
      },
    });
    expect(bindingBody).toMatchObject({ spec: { policyName: NAME, validationActions: ['Deny'] } });
    // Cluster-wide: no namespace or object selector narrows the binding.
    expect((bindingBody as { spec: Record<string, unknown> }).spec.matchResources).toBeUndefined();
    const policy = policyOf()!;
    expect(policy.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'pivotguard', 'pivotguard.io/incident': INCIDENT });
    // The denial names the incident and the fix.
    const message = (policy.spec as { validations: { message: string }[] }).validations[0]!.message;
    expect(message).toContain(INCIDENT);
    expect(message).toContain('CVE-2024-6387');
    expect(message).toContain('openssh 9.8p1');
    expect(message).not.toMatch(/\n/);
  });

  it('finds its own block on a retry and changes nothing', async () => {
    await run(plannedStep());
    fake.requests.length = 0;
    const again = await run(plannedStep());
    expect(again.result).toBe('already-applied');
    expect(again.undo?.kind).toBe('delete-admission-block');
    expect(fake.mutations()).toEqual([]);
  });

  it('puts back a policy someone loosened', async () => {
    await run(plannedStep());
    const loosened = policyOf()!;
    (loosened.spec as { validations: { expression: string }[] }).validations[0]!.expression = 'true';
    fake.seed('validatingadmissionpolicies', loosened);
    const record = await run(plannedStep());
    expect(record.result).toBe('applied');
    expect((policyOf()!.spec as { validations: { expression: string }[] }).validations[0]!.expression).not.toBe('true');
  });

  it('leaves alone, and blocks nothing, when an object of that name is not pivotguard’s', async () => {
    fake.seed('validatingadmissionpolicies', { metadata: { name: NAME, labels: { team: 'platform' } }, spec: { validations: [] } });
    const record = await run(plannedStep());
    expect(record.result).toBe('failed');
    expect(record.undo).toBeUndefined();
    expect(fake.mutations()).toEqual([]);
  });

  it('names the missing grant when RBAC forbids the create', async () => {
    fake.forbid('create', 'validatingadmissionpolicies');
    const record = await run(plannedStep());
    expect(record.result).toBe('failed');
    expect(record.detail).toContain('create on validatingadmissionpolicies.admissionregistration.k8s.io');
  });

  it('refuses a step whose scope is not a digest pivotguard writes', async () => {
    const forged = { ...plannedStep(), scope: ['sha256:*'] };
    expect((await run(forged)).result).toBe('failed');
    const otherCluster = { ...plannedStep(), target: `staging/${DIGEST}` };
    expect((await run(otherCluster)).result).toBe('failed');
    expect(fake.mutations()).toEqual([]);
  });

  it('undo deletes exactly the binding, then the policy; a second undo finds nothing to do', async () => {
    const record = await run(plannedStep());
    expect((await undo(record, true)).result).toBe('dry-run');
    expect(policyOf()).toBeDefined();
    fake.requests.length = 0;
    expect((await undo(record)).result).toBe('undone');
    expect(fake.mutations().map((request) => [request.method, request.path])).toEqual([
      ['DELETE', `/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicybindings/${NAME}`],
      ['DELETE', `/apis/admissionregistration.k8s.io/v1/validatingadmissionpolicies/${NAME}`],
    ]);
    expect(policyOf()).toBeUndefined();
    expect(bindingOf()).toBeUndefined();
    expect((await undo(record)).result).toBe('already-undone');
  });

  it('undo refuses, deleting nothing, once the objects no longer carry the incident’s labels', async () => {
    const record = await run(plannedStep());
    const taken = bindingOf()!;
    fake.seed('validatingadmissionpolicybindings', { ...taken, metadata: { ...taken.metadata, labels: { 'pivotguard.io/incident': 'inc-someone-else' } } });
    fake.requests.length = 0;
    const outcome = await undo(record);
    expect(outcome.result).toBe('skipped');
    expect(outcome.detail).toMatch(/^refused/);
    expect(fake.mutations()).toEqual([]);
    expect(policyOf()).toBeDefined();
  });

  it('undo refuses a step that names another object', async () => {
    const record = await run(plannedStep());
    const forged = { ...record, undo: { ...record.undo!, policy: 'cluster-baseline' } } as ActionRecord;
    expect((await undo(forged)).result).toBe('failed');
    expect(policyOf()).toBeDefined();
  });
});

/**
 * The policy's decision, evaluated as the API server does: its variables in order, then the
 * validation, with `object`, `oldObject` (null on CREATE) and `request`. True means admitted.
 */
function admits(match: ImageBlockMatch, request: { operation: 'CREATE' | 'UPDATE'; object: KubeObject; oldObject?: KubeObject }): boolean {
  const { policy } = imageBlockObjects({ incidentId: INCIDENT, match, message: 'blocked' });
  const spec = policy.spec as { variables: { name: string; expression: string }[]; validations: { expression: string }[] };
  const context: Record<string, unknown> = { object: request.object, oldObject: request.oldObject ?? null, request: { operation: request.operation } };
  const variables: Record<string, unknown> = {};
  for (const variable of spec.variables) variables[variable.name] = evaluate(variable.expression, { ...context, variables });
  return spec.validations.every((validation) => evaluate(validation.expression, { ...context, variables }) === true);
}

const pod = (spec: Record<string, unknown>): KubeObject => ({ metadata: { name: 'p', namespace: 'shop' }, spec });
const withImage = (reference: string) => pod({ containers: [{ name: 'app', image: reference }] });
const match: ImageBlockMatch = { digest: DIGEST, tagReference: TAGGED };

describe('the block’s admission decision (CEL)', () => {
  it('denies a pod that references the digest, from any repository', () => {
    expect(admits(match, { operation: 'CREATE', object: withImage(`${REPOSITORY}@${DIGEST}`) })).toBe(false);
    expect(admits(match, { operation: 'CREATE', object: withImage(`mirror.example/copy:9@${DIGEST}`) })).toBe(false);
  });

  it('denies the exact repository:tag the incident’s pod used', () => {
    expect(admits(match, { operation: 'CREATE', object: withImage(TAGGED) })).toBe(false);
  });

  it('admits another digest, and another tag (which resolves only at pull time, the stated limit)', () => {
    expect(admits(match, { operation: 'CREATE', object: withImage(`${REPOSITORY}@${OTHER_DIGEST}`) })).toBe(true);
    expect(admits(match, { operation: 'CREATE', object: withImage(`${REPOSITORY}:2.14.1`) })).toBe(true);
    expect(admits({ digest: DIGEST }, { operation: 'CREATE', object: withImage(TAGGED) })).toBe(true);
  });

  it('finds the image in init and ephemeral containers too, and tolerates pods without them or without an image', () => {
    expect(
      admits(match, { operation: 'CREATE', object: pod({ containers: [{ name: 'a', image: 'busybox' }], initContainers: [{ name: 'i', image: TAGGED }] }) }),
    ).toBe(false);
    expect(
      admits(match, { operation: 'CREATE', object: pod({ containers: [{ name: 'a' }], ephemeralContainers: [{ name: 'd', image: `x@${DIGEST}` }] }) }),
    ).toBe(false);
    expect(admits(match, { operation: 'CREATE', object: pod({ containers: [{ name: 'a' }] }) })).toBe(true);
  });

  it('lets a running pod of the image be updated (a label patch, undoing isolation) but not gain another container of it', () => {
    const running = withImage(TAGGED);
    expect(admits(match, { operation: 'UPDATE', object: { ...running, metadata: { ...running.metadata, labels: { a: 'b' } } }, oldObject: running })).toBe(
      true,
    );
    const debugged = pod({ containers: [{ name: 'app', image: TAGGED }], ephemeralContainers: [{ name: 'debug', image: `${REPOSITORY}@${DIGEST}` }] });
    expect(admits(match, { operation: 'UPDATE', object: debugged, oldObject: running })).toBe(false);
    const swapped = withImage(`${REPOSITORY}@${DIGEST}`);
    expect(admits(match, { operation: 'UPDATE', object: swapped, oldObject: withImage('busybox') })).toBe(false);
  });

  it('never puts an attacker’s image reference into the expression', () => {
    // A reference that would end the string literal and deny every pod in the cluster.
    expect(() => imageBlockObjects({ incidentId: INCIDENT, match: { digest: DIGEST, tagReference: 'x" || true || "' }, message: '' })).toThrow(
      UnsafeImageBlock,
    );
    expect(() => imageBlockObjects({ incidentId: INCIDENT, match: { digest: 'sha256:") || true || ("' }, message: '' })).toThrow(UnsafeImageBlock);
  });
});
