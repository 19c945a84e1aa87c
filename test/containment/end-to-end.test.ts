import { signApprovalLink } from '#core/respond/approval-link';
import { DeleteRolePolicyCommand, GetRoleCommand, GetRolePolicyCommand, IAMClient, NoSuchEntityException, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ContainmentDesk } from '#adapters/approval/containment-desk';
import { approvalPageHandler } from '#adapters/approval/http';
import { EvidenceLocker } from '#adapters/containment/evidence';
import { executionName, revisionName } from '#adapters/containment/execution-names';
import { IamRevocation } from '#adapters/containment/iam-revocation';
import { type StepPayload, containmentSteps } from '#adapters/containment/steps';
import { undoRecorded } from '#adapters/containment/undo';
import { KubernetesContainment } from '#adapters/kubernetes/containment';
import { KubeApiFake } from '#adapters/local/kube-api-fake';
import { MemoryResponseStore } from '#adapters/memory-responses';
import type { Incident, PlannedAction } from '#core/model/incident';
import type { ActionRecord } from '#core/respond/action';
import { type ExecutionKind, type UndoneRecord, actionKey, openResponse, uncoveredPlan, withExecution } from '#core/respond/response';
import { functionUrlEvent } from '../fixtures/lambda-events.ts';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { pivotScenario } from '../fixtures/pivot-scenario.ts';
import { LocalExecutions, type TaskHandler, approvalWait, execute, taskStates } from '#adapters/local/state-machine-runner';
import { synthesizedDefinition } from '../../bin/local/synthesized-workflow.ts';

const definition = synthesizedDefinition();
const iam = mockClient(IAMClient);
const s3 = mockClient(S3Client);
const SECRET = 'link-signing-secret-for-tests';
const APPROVAL_URL = 'https://abcdefghijklmnop.lambda-url.us-east-1.on.aws/';
const NOW = new Date('2026-11-21T02:40:00Z');
let fake: KubeApiFake;
let incident: Incident;

beforeAll(async () => {
  fake = await KubeApiFake.start();
  const [first] = await incidentsOf(pivotScenario());
  incident = first!;
});

afterAll(async () => {
  await fake.stop();
});

beforeEach(() => {
  fake.reset();
  const { cluster, namespace, pod, node } = incident.workload;
  fake.seed('deployments', { metadata: { name: 'checkout', namespace: namespace! }, spec: { replicas: 2 } });
  fake.seed('replicasets', {
    metadata: {
      name: 'checkout-7d9f8b6c5',
      namespace: namespace!,
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout', uid: 'd', controller: true }],
    },
    spec: { replicas: 2 },
  });
  fake.seed('pods', {
    metadata: {
      name: pod!,
      namespace: namespace!,
      labels: { app: 'checkout' },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'checkout-7d9f8b6c5', uid: 'r', controller: true }],
    },
    spec: { nodeName: node!, containers: [{ name: 'app', image: 'checkout:2.14.0' }] },
  });
  fake.seed('nodes', { metadata: { name: node! }, spec: {} });
  fake.seedLog(namespace!, pod!, 'app', '2026-11-21T02:12:00Z curl http://169.254.170.23/v1/credentials\n');
  fake.requests.length = 0;
  expect(cluster).toBe('prod-east');
  iam.reset();
  iam
    .on(GetRoleCommand)
    .resolves({ Role: { RoleName: 'checkout-irsa', RoleId: 'AROAEXAMPLEROLEID', Arn: incident.identities[0]!.roleArn, Path: '/', CreateDate: new Date(0) } });
  iam.on(GetRolePolicyCommand).rejects(new NoSuchEntityException({ message: 'none', $metadata: {} }));
  iam.on(PutRolePolicyCommand).resolves({});
  iam.on(DeleteRolePolicyCommand).resolves({});
  s3.reset();
  s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
});

/**
 * The real containment steps wired to the Kubernetes fake and mocked AWS clients; the waiting
 * state parks until a person answers through the real approval page, whose decision reaches
 * the execution the way SendTaskSuccess/SendTaskFailure would.
 */
function wiring(subject: Incident, hooks: { onNotice?: (subject: string) => void } = {}) {
  const notices: { subject: string; message: string }[] = [];
  const responses = new MemoryResponseStore();
  // The analyzer's store: a test may change the incident while an execution runs.
  const stored = new Map([[subject.id, subject]]);
  const incidents = { getIncident: async (id: string) => stored.get(id) };
  const executions = new LocalExecutions();
  const revocation = new IamRevocation(new IAMClient({ region: 'us-east-1' }), () => NOW);
  const kubernetes = async (cluster: string) => new KubernetesContainment(fake.kubeConfig(cluster), { clock: () => NOW });
  const steps = containmentSteps({
    incidents,
    evidence: new EvidenceLocker(new S3Client({ region: 'us-east-1' }), { bucket: 'pivotguard-evidence', objectLock: true }),
    iam: revocation,
    kubernetes,
    executions,
    recordsBehind: async (shown) => shown.signals.map((signal) => ({ eventId: signal.eventId, source: signal.source, raw: { eventId: signal.eventId } })),
    notify: async (_, title, message) => {
      notices.push({ subject: title, message });
      hooks.onNotice?.(title);
    },
    responses,
    linkSecret: async () => SECRET,
    approvalTimeoutMs: 24 * 3600_000,
    clock: () => NOW,
  });
  const task: TaskHandler = async (input) => steps(input as unknown as StepPayload);
  const wait = approvalWait(task);
  const handlers: Record<string, TaskHandler> = { ...Object.fromEntries(taskStates(definition).map((state) => [state, task])), AwaitApproval: wait.handler };
  const desk = new ContainmentDesk({
    incidents,
    responses,
    workflow: wait.decisions,
    undo: (request) => undoRecorded(request, { responses, iam: revocation, kubernetes, clock: () => NOW }),
    clock: () => NOW,
  });
  const page = approvalPageHandler({ desk, secret: async () => SECRET, clock: () => NOW });
  /** As the analyzer starts an execution: recorded with the steps it takes on, then run. */
  const start = async (shown: Incident, kind: ExecutionKind, dryRun: boolean) => {
    const covers = [...shown.plan.automatic, ...shown.plan.approval].map(actionKey);
    const execution = kind === 'first' ? executionName(shown.id) : revisionName(shown.id, covers);
    const startedAt = NOW.toISOString();
    await responses.updateResponse(shown.id, (current) =>
      withExecution(current ?? openResponse(shown.id, startedAt), { execution, startedAt, dryRun, covers }, kind),
    );
    return execute(definition, { incident: shown, dryRun, approvalUrl: APPROVAL_URL }, handlers, { execution, taskToken: `token-${execution}`, executions });
  };
  const run = (dryRun = false) => start(subject, 'first', dryRun);
  /** A revision: the grown incident with only the steps no execution took on yet. */
  const runRevision = async (grown: Incident) => start({ ...grown, plan: uncoveredPlan(grown.plan, await responses.getResponse(grown.id)) }, 'revision', false);
  /** The link from the approval email, once the execution waits. */
  const approvalLink = async (): Promise<string> => {
    await until(() => wait.tokens().length > 0);
    const email = notices.find((notice) => notice.subject.startsWith('Approval needed'))!;
    return /^https:\/\/\S+\?t=(\S+)$/m.exec(email.message)![1]!;
  };
  const answer = (token: string, fields: Record<string, string>) =>
    page(functionUrlEvent('POST', { body: new URLSearchParams({ t: token, ...fields }).toString(), now: NOW }));
  /** A link issued to manage the incident (undo, resolve, dismiss): the approval link decides the approval only. */
  const manageLink = () => signApprovalLink({ incidentId: subject.id, expiresAt: NOW.getTime() + 3600_000, nonce: 'manage', purpose: 'manage' }, SECRET);
  return { run, runRevision, stored, notices, responses, desk, page, approvalLink, answer, manageLink, wait };
}

async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 500) throw new Error('the execution never reached the approval wait');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** The Map state runs a tier's actions concurrently, so records are compared in a fixed order. */
const outcomes = (records: readonly (ActionRecord | UndoneRecord)[]) =>
  records.map((record) => [record.action, record.result]).sort((a, b) => `${a}`.localeCompare(`${b}`));

const plan = (automatic: PlannedAction['action'][], approval: PlannedAction['action'][]) => ({
  automatic: incident.plan.automatic.filter((action) => automatic.includes(action.action)),
  approval: [...incident.plan.automatic, ...incident.plan.approval].filter((action) => approval.includes(action.action)),
});

/** The pod's own IRSA session; the attacker's session is linked later. */
const OWN_SESSION = 'aws-sdk-js-session-1';
const ATTACKER_SESSION = 'botocore-session-1763691910';

/** The incident as the analyzer had it before the attacker's session was linked to the pod's role. */
/** The incident once the evidence ties both sessions to the attacker (the pod's own, then the one used from outside). */
function tiedToBoth(incident: Incident): Incident {
  return { ...incident, identities: incident.identities.map((identity) => ({ ...identity, tiedSessions: [OWN_SESSION, ATTACKER_SESSION] })) };
}

function beforeAttackerSession(grown: Incident): Incident {
  const scoped = (action: PlannedAction) => (action.action === 'revoke-role-sessions' ? { ...action, scope: [OWN_SESSION] } : action);
  return {
    ...grown,
    identities: grown.identities.map((identity) => ({ ...identity, sessions: [OWN_SESSION], tiedSessions: [OWN_SESSION] })),
    plan: { automatic: grown.plan.automatic.map(scoped), approval: grown.plan.approval.map(scoped) },
  };
}

/** IAM keeps the policies put: a later revoke reads what an earlier one wrote. */
function iamKeepsPolicies(): void {
  const policies = new Map<string, string>();
  iam.on(PutRolePolicyCommand).callsFake((input: { RoleName: string; PolicyName: string; PolicyDocument: string }) => {
    policies.set(`${input.RoleName}/${input.PolicyName}`, input.PolicyDocument);
    return {};
  });
  iam.on(GetRolePolicyCommand).callsFake((input: { RoleName: string; PolicyName: string }) => {
    const document = policies.get(`${input.RoleName}/${input.PolicyName}`);
    if (!document) throw new NoSuchEntityException({ message: 'none', $metadata: {} });
    return { PolicyDocument: encodeURIComponent(document) };
  });
}

/** The sessions the last deny policy written names. */
function deniedSessions(): unknown {
  const document = JSON.parse(String(iam.commandCalls(PutRolePolicyCommand).at(-1)!.args[0].input.PolicyDocument));
  return document.Statement[0].Condition.StringEquals['aws:userid'];
}

describe('containment end to end: synthesized workflow, real steps, approval page, Kubernetes fake over HTTP', () => {
  it('contains automatically, asks by email, runs the disruptive step once approved on the page, and undoes it all', async () => {
    const subject = { ...incident, plan: plan(['capture-evidence', 'isolate-pod', 'revoke-role-sessions'], ['scale-down']) };
    const { run, notices, responses, approvalLink, answer, page } = wiring(subject);
    const { namespace, pod } = incident.workload;
    const execution = run();
    const link = await approvalLink();

    // Mail scanners open links: the page shows what waits and changes nothing.
    const shown = await page(functionUrlEvent('GET', { query: { t: link }, now: NOW }));
    expect(shown.statusCode).toBe(200);
    expect(shown.body).toContain('Scale down');
    expect(fake.object('deployments', namespace!, 'checkout')!.spec).toMatchObject({ replicas: 2 });
    // The automatic tier already ran, before anyone answered.
    expect(fake.object('pods', namespace!, pod!)!.metadata.labels).toMatchObject({ 'pivotguard.io/quarantine': incident.id });
    expect((await responses.getResponse(incident.id))!.status).toBe('contained');

    expect((await answer(link, { op: 'approve', by: 'alice@example.com' })).statusCode).toBe(200);
    await execution;

    expect(fake.names('networkpolicies', namespace!)).toEqual([`pivotguard-quarantine-${incident.id}`]);
    expect(iam.commandCalls(PutRolePolicyCommand)[0]!.args[0].input.PolicyName).toBe(`pivotguard-revoke-${incident.id}`);
    expect(fake.object('deployments', namespace!, 'checkout')!.spec).toMatchObject({ replicas: 0 });
    const stored = s3.commandCalls(PutObjectCommand).map((call) => String(call.args[0].input.Body));
    expect(stored.some((body) => body.includes('curl http://169.254.170.23/v1/credentials'))).toBe(true);
    expect(stored.some((body) => body.includes('"nodeName"'))).toBe(true);

    const response = (await responses.getResponse(incident.id))!;
    expect(outcomes(response.actions)).toEqual([
      ['capture-evidence', 'already-applied'],
      ['capture-evidence', 'applied'],
      ['isolate-pod', 'applied'],
      ['revoke-role-sessions', 'applied'],
      ['scale-down', 'applied'],
    ]);
    expect(response.approval).toMatchObject({
      decision: 'approved',
      decidedBy: 'alice@example.com',
      proposed: [expect.objectContaining({ action: 'scale-down' })],
    });
    expect(response.firstContainedAt).toBe(NOW.toISOString());
    expect(response.workflow?.finishedAt).toBeDefined();
    expect(notices.map((notice) => notice.subject.split(':')[0])).toEqual(['Containing', 'Approval needed', 'Containment finished']);
    expect(notices.at(-1)!.message).toContain(`npx pivotguard undo ${incident.id}`);

    // The approval link decides the approval only; undo needs the link of its own the outcome email carries.
    expect((await answer(link, { op: 'undo', by: 'mallory@example.com' })).statusCode).toBe(403);
    const outcomeLink = /^https:\/\/\S+\?t=(\S+)$/m.exec(notices.at(-1)!.message)![1]!;
    expect(outcomeLink).not.toBe(link);
    // Undo everything from the page: the label and policy go, replicas come back, the deny policy is deleted.
    expect((await answer(outcomeLink, { op: 'undo', by: 'bob@example.com' })).statusCode).toBe(200);
    expect(fake.object('pods', namespace!, pod!)!.metadata.labels).not.toHaveProperty('pivotguard.io/quarantine');
    expect(fake.names('networkpolicies', namespace!)).toEqual([]);
    expect(fake.object('deployments', namespace!, 'checkout')!.spec).toMatchObject({ replicas: 2 });
    expect(iam.commandCalls(DeleteRolePolicyCommand).map((call) => call.args[0].input)).toEqual([
      { RoleName: 'checkout-irsa', PolicyName: `pivotguard-revoke-${incident.id}` },
    ]);
    const undone = (await responses.getResponse(incident.id))!.undone;
    // Newest first: the approved tier is reversed before the automatic one.
    expect(undone[0]).toMatchObject({ action: 'scale-down', result: 'undone', by: 'bob@example.com' });
    expect(outcomes(undone)).toEqual([
      ['isolate-pod', 'undone'],
      ['revoke-role-sessions', 'undone'],
      ['scale-down', 'undone'],
    ]);
  });

  it('changes nothing disruptive when rejected on the page, and says who rejected', async () => {
    const subject = { ...incident, plan: plan(['isolate-pod'], ['scale-down']) };
    const { run, responses, approvalLink, answer, notices } = wiring(subject);
    const execution = run();
    expect((await answer(await approvalLink(), { op: 'reject', by: 'bob@example.com' })).statusCode).toBe(200);
    await execution;
    expect(fake.object('deployments', incident.workload.namespace!, 'checkout')!.spec).toMatchObject({ replicas: 2 });
    expect((await responses.getResponse(incident.id))!.approval).toMatchObject({ decision: 'rejected', decidedBy: 'bob@example.com' });
    expect(notices.at(-1)!.message).toContain('rejected: nothing disruptive ran');
  });

  it('records a timeout as nobody deciding, and runs nothing disruptive', async () => {
    const subject = { ...incident, plan: plan(['isolate-pod'], ['scale-down']) };
    const { run, responses, wait, approvalLink } = wiring(subject);
    const execution = run();
    await approvalLink();
    wait.timeOut(wait.tokens()[0]!);
    await execution;
    expect(fake.object('deployments', incident.workload.namespace!, 'checkout')!.spec).toMatchObject({ replicas: 2 });
    expect((await responses.getResponse(incident.id))!.approval).toMatchObject({ decision: 'timeout', decidedBy: 'nobody (timed out)' });
  });

  it('takes one decision per wait: a second answer is refused and changes nothing', async () => {
    const subject = { ...incident, plan: plan(['isolate-pod'], ['scale-down']) };
    const { run, approvalLink, answer } = wiring(subject);
    const execution = run();
    const link = await approvalLink();
    await answer(link, { op: 'approve', by: 'alice@example.com' });
    await execution;
    const second = await answer(link, { op: 'reject', by: 'mallory@example.com' });
    expect(second.statusCode).toBe(409);
    expect(second.body).toContain('already approved by &#39;alice@example.com&#39; (declared)');
  });

  it('dismisses from the page as a false positive with who and why, and proposes a suppression', async () => {
    const subject = { ...incident, plan: plan(['isolate-pod'], ['scale-down']) };
    const { run, responses, approvalLink, answer, manageLink } = wiring(subject);
    const execution = run();
    const link = await approvalLink();
    await answer(link, { op: 'reject', by: 'bob@example.com' });
    await execution;
    expect((await answer(manageLink(), { op: 'dismiss', by: 'bob@example.com', reason: 'our red team' })).statusCode).toBe(200);
    const response = (await responses.getResponse(incident.id))!;
    expect(response.history.at(-1)).toMatchObject({ to: 'false-positive', by: 'bob@example.com', reason: 'our red team' });
    expect(response.proposedSuppression).toMatchObject({ rule: expect.any(String), scope: { namespace: incident.workload.namespace } });
  });

  it('denies every session the incident links when the revoke runs, though the execution started before the second was linked', async () => {
    const grown = tiedToBoth({ ...incident, plan: plan(['revoke-role-sessions'], []) });
    const { run, stored } = wiring(beforeAttackerSession(grown), {
      // The analyzer links the attacker's session while the execution notifies.
      onNotice: (subject) => {
        if (subject.startsWith('Containing')) stored.set(incident.id, grown);
      },
    });
    await run();
    expect(deniedSessions()).toEqual([`AROAEXAMPLEROLEID:${OWN_SESSION}`, `AROAEXAMPLEROLEID:${ATTACKER_SESSION}`]);
  });

  it('runs a revision for only the step the grown incident adds, with its evidence under its own prefix', async () => {
    iamKeepsPolicies();
    const grown = tiedToBoth({ ...incident, plan: plan(['isolate-pod', 'revoke-role-sessions'], []) });
    const { run, runRevision, stored, responses } = wiring(beforeAttackerSession(grown));
    await run();
    expect(deniedSessions()).toEqual([`AROAEXAMPLEROLEID:${OWN_SESSION}`]);
    const firstKeys = s3.commandCalls(PutObjectCommand).map((call) => String(call.args[0].input.Key));
    s3.resetHistory();
    fake.requests.length = 0;

    stored.set(incident.id, grown);
    await runRevision(grown);

    expect(deniedSessions()).toEqual([`AROAEXAMPLEROLEID:${OWN_SESSION}`, `AROAEXAMPLEROLEID:${ATTACKER_SESSION}`]);
    // The pod was isolated by the first execution: the revision changes nothing in the cluster.
    expect(fake.mutations()).toEqual([]);
    const revisionKeys = s3.commandCalls(PutObjectCommand).map((call) => String(call.args[0].input.Key));
    const prefixOf = (key: string) => key.split('/').slice(0, 3).join('/');
    expect(new Set(revisionKeys.map(prefixOf)).size).toBe(1);
    expect(prefixOf(revisionKeys[0]!)).not.toBe(prefixOf(firstKeys[0]!));
    expect(revisionKeys.some((key) => key.endsWith('/manifest.json'))).toBe(true);

    const response = (await responses.getResponse(incident.id))!;
    expect(outcomes(response.actions)).toEqual([
      ['capture-evidence', 'applied'],
      ['capture-evidence', 'applied'],
      ['isolate-pod', 'applied'],
      ['revoke-role-sessions', 'applied'],
      ['revoke-role-sessions', 'applied'],
    ]);
    const revoke = actionKey(grown.plan.automatic.find((action) => action.action === 'revoke-role-sessions')!);
    expect(response.revisions).toEqual([
      expect.objectContaining({
        execution: expect.stringMatching(new RegExp(`^${incident.id}-[0-9a-f]{8}$`)),
        covers: [revoke],
        finishedAt: NOW.toISOString(),
      }),
    ]);
    expect(response.workflow).toMatchObject({ execution: incident.id, finishedAt: NOW.toISOString() });
    expect(response.workflow!.covers).not.toContain(revoke);
  });

  it("adds a revision's steps needing approval to the pending request: no second wait, and approving runs exactly the approved list", async () => {
    const subject = { ...incident, plan: plan(['isolate-pod'], ['scale-down']) };
    const { run, runRevision, responses, approvalLink, answer, wait, notices } = wiring(subject);
    const { namespace, pod } = incident.workload;
    const first = run();
    const link = await approvalLink();

    await runRevision({ ...incident, plan: plan(['isolate-pod'], ['scale-down', 'restart-pod']) });

    expect(wait.tokens()).toHaveLength(1);
    const pending = (await responses.getResponse(incident.id))!.approval!;
    expect(pending.proposed.map((action) => action.action)).toEqual(['scale-down', 'restart-pod']);
    expect(pending.decision).toBeUndefined();
    expect(notices.map((notice) => notice.subject.split(':')[0])).toEqual([
      'Containing',
      'Approval needed',
      'Containing more',
      'Approval extended',
      'Containment finished',
    ]);
    expect(notices[3]!.message).toMatch(/Added:\n- restart-pod /);
    // Nothing disruptive ran before the decision.
    expect(fake.object('pods', namespace!, pod!)).toBeDefined();

    expect((await answer(link, { op: 'approve', by: 'alice@example.com' })).statusCode).toBe(200);
    await first;

    expect(fake.object('pods', namespace!, pod!)).toBeUndefined();
    expect(fake.object('deployments', namespace!, 'checkout')!.spec).toMatchObject({ replicas: 0 });
    const response = (await responses.getResponse(incident.id))!;
    expect(outcomes(response.actions).filter(([action]) => action === 'restart-pod' || action === 'scale-down')).toEqual([
      ['restart-pod', 'applied'],
      ['scale-down', 'applied'],
    ]);
    expect(response.approval).toMatchObject({ decision: 'approved', decidedBy: 'alice@example.com' });
    expect(response.earlierApprovals).toBeUndefined();
  });

  it("asks again for a revision's steps once the earlier request is decided, and keeps that decision in the history", async () => {
    const subject = { ...incident, plan: plan(['isolate-pod'], ['scale-down']) };
    const { run, runRevision, responses, approvalLink, answer, wait, desk } = wiring(subject);
    const first = run();
    await answer(await approvalLink(), { op: 'reject', by: 'bob@example.com' });
    await first;

    const revision = runRevision({ ...incident, plan: plan(['isolate-pod'], ['scale-down', 'restart-pod']) });
    await until(() => wait.tokens().length === 2);
    const waiting = (await responses.getResponse(incident.id))!;
    expect(waiting.earlierApprovals).toEqual([
      expect.objectContaining({ decision: 'rejected', decidedBy: 'bob@example.com', proposed: [expect.objectContaining({ action: 'scale-down' })] }),
    ]);
    expect(waiting.approval!.proposed.map((action) => action.action)).toEqual(['restart-pod']);

    expect(await desk.decide({ incidentId: incident.id, decision: 'approve', by: 'carol' })).toMatchObject({ ok: true });
    await revision;
    expect(fake.object('pods', incident.workload.namespace!, incident.workload.pod!)).toBeUndefined();
    // The rejected step stays rejected.
    expect(fake.object('deployments', incident.workload.namespace!, 'checkout')!.spec).toMatchObject({ replicas: 2 });
  });

  it('runs dry: the whole workflow records what it would do and mutates nothing', async () => {
    const subject = { ...incident, plan: plan(['isolate-pod', 'revoke-role-sessions'], ['scale-down']) };
    const { run, responses, approvalLink, answer } = wiring(subject);
    const execution = run(true);
    await answer(await approvalLink(), { op: 'approve', by: 'alice@example.com' });
    await execution;
    expect(fake.mutations()).toEqual([]);
    expect(iam.commandCalls(PutRolePolicyCommand)).toEqual([]);
    expect(s3.commandCalls(PutObjectCommand)).toEqual([]);
    const response = (await responses.getResponse(incident.id))!;
    expect(response.actions.map((record) => record.result)).toEqual(['dry-run', 'dry-run', 'dry-run', 'dry-run']);
    expect(response.status).toBe('open');
  });

  it('runs one action dry when the plan says so, and the others for real', async () => {
    const base = plan(['isolate-pod', 'revoke-role-sessions'], []);
    const subject = {
      ...incident,
      plan: { ...base, automatic: base.automatic.map((action) => (action.action === 'isolate-pod' ? { ...action, dryRun: true } : action)) },
    };
    const { run, responses } = wiring(subject);
    await run();
    expect(fake.mutations()).toEqual([]);
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1);
    expect(outcomes((await responses.getResponse(incident.id))!.actions)).toEqual([
      ['capture-evidence', 'applied'],
      ['isolate-pod', 'dry-run'],
      ['revoke-role-sessions', 'applied'],
    ]);
  });

  it('records a forbidden action as failed, alerts, and still revokes the sessions', async () => {
    fake.forbid('create', 'networkpolicies');
    const subject = { ...incident, plan: plan(['isolate-pod', 'revoke-role-sessions'], []) };
    const { run, responses, notices } = wiring(subject);
    await run();
    const actions = (await responses.getResponse(incident.id))!.actions;
    expect(outcomes(actions)).toEqual([
      ['capture-evidence', 'applied'],
      ['isolate-pod', 'failed'],
      ['revoke-role-sessions', 'applied'],
    ]);
    expect(actions.find((record) => record.action === 'isolate-pod')!.detail).toMatch(/forbidden: .*networkpolicies/);
    expect(notices.at(-1)!.message).toMatch(/isolate-pod \S+: failed/);
  });

  it('does not act twice when the execution is retried', async () => {
    const subject = { ...incident, plan: plan(['isolate-pod', 'revoke-role-sessions'], []) };
    const first = wiring(subject);
    await first.run();
    iam
      .on(GetRolePolicyCommand)
      .resolves({ PolicyDocument: encodeURIComponent(String(iam.commandCalls(PutRolePolicyCommand)[0]!.args[0].input.PolicyDocument)) });
    const again = wiring(subject);
    await again.run();
    expect((await again.responses.getResponse(incident.id))!.actions.map((record) => record.result)).toEqual(['applied', 'already-applied', 'already-applied']);
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1);
    expect(fake.names('networkpolicies', incident.workload.namespace!)).toHaveLength(1);
  });

  it('undoes one action at a time, and an undone step is not undone twice', async () => {
    const subject = { ...incident, plan: plan(['isolate-pod', 'revoke-role-sessions'], []) };
    const { run, desk } = wiring(subject);
    await run();
    const { namespace } = incident.workload;
    const isolated = await desk.undo({ incidentId: incident.id, action: 'isolate-pod', by: 'arn:aws:iam::111122223333:user/carol' });
    expect(isolated.map((record) => [record.action, record.result])).toEqual([['isolate-pod', 'undone']]);
    expect(fake.names('networkpolicies', namespace!)).toEqual([]);
    expect(iam.commandCalls(DeleteRolePolicyCommand)).toEqual([]);
    expect(await desk.undo({ incidentId: incident.id, action: 'isolate-pod', by: 'carol' })).toEqual([]);
    const rest = await desk.undo({ incidentId: incident.id, by: 'carol' });
    expect(rest.map((record) => [record.action, record.result])).toEqual([['revoke-role-sessions', 'undone']]);
  });

  it('undoes dry: says what it would do and changes nothing', async () => {
    const subject = { ...incident, plan: plan(['isolate-pod'], []) };
    const { run, desk } = wiring(subject);
    await run();
    fake.requests.length = 0;
    const dry = await desk.undo({ incidentId: incident.id, by: 'carol', dryRun: true });
    expect(dry).toEqual([
      expect.objectContaining({ action: 'isolate-pod', result: 'dry-run', detail: expect.stringContaining('would remove pivotguard.io/quarantine') }),
    ]);
    expect(fake.mutations()).toEqual([]);
  });
});
