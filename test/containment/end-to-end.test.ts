import { GetRoleCommand, GetRolePolicyCommand, IAMClient, NoSuchEntityException, PutRolePolicyCommand } from '@aws-sdk/client-iam';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EvidenceLocker } from '#adapters/containment/evidence';
import { IamRevocation } from '#adapters/containment/iam-revocation';
import { type StepPayload, containmentSteps } from '#adapters/containment/steps';
import { KubernetesContainment } from '#adapters/kubernetes/containment';
import type { Incident, PlannedAction } from '#core/model/incident';
import type { ActionRecord } from '#core/respond/action';
import { KubeApiFake } from '../fixtures/kube-api-fake.ts';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { pivotScenario } from '../fixtures/pivot-scenario.ts';
import { type TaskHandler, execute, synthesizedDefinition } from './workflow.ts';

const definition = synthesizedDefinition();
const iam = mockClient(IAMClient);
const s3 = mockClient(S3Client);
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
    metadata: { name: 'checkout-7d9f8b6c5', namespace: namespace!, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'checkout', uid: 'd', controller: true }] },
    spec: { replicas: 2 },
  });
  fake.seed('pods', {
    metadata: { name: pod!, namespace: namespace!, labels: { app: 'checkout' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'checkout-7d9f8b6c5', uid: 'r', controller: true }] },
    spec: { nodeName: node!, containers: [{ name: 'app', image: 'checkout:2.14.0' }] },
  });
  fake.requests.length = 0;
  expect(cluster).toBe('prod-east');
  iam.reset();
  iam.on(GetRoleCommand).resolves({ Role: { RoleName: 'checkout-irsa', RoleId: 'AROAEXAMPLEROLEID', Arn: incident.identities[0]!.roleArn, Path: '/', CreateDate: new Date(0) } });
  iam.on(GetRolePolicyCommand).rejects(new NoSuchEntityException({ message: 'none', $metadata: {} }));
  iam.on(PutRolePolicyCommand).resolves({});
  s3.reset();
  s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
});

/** The real containment steps, wired to the Kubernetes fake and mocked AWS clients. */
function wiring(decision: () => Promise<unknown>) {
  const notices: string[] = [];
  const recorded: ActionRecord[] = [];
  const steps = containmentSteps({
    evidence: new EvidenceLocker(new S3Client({ region: 'us-east-1' }), { bucket: 'pivotguard-evidence', objectLock: true }),
    iam: new IamRevocation(new IAMClient({ region: 'us-east-1' })),
    kubernetes: async (cluster) => new KubernetesContainment(fake.kubeConfig(cluster)),
    recordsBehind: async (subject) => subject.signals.map((signal) => ({ eventId: signal.eventId, source: signal.source, raw: { eventId: signal.eventId } })),
    notify: async (_, message) => {
      notices.push(message);
    },
    awaitDecision: async () => {},
    record: async (_, records) => {
      recorded.push(...records);
    },
    clock: () => new Date('2026-11-21T02:40:00Z'),
  });
  const task: TaskHandler = async (input) => steps(input as unknown as StepPayload);
  const states = ['CaptureEvidence', 'RecordEvidenceFailure', 'Notify', 'AutomaticActionsAction', 'AutomaticActionsActionFailed', 'ApprovedActionsAction', 'ApprovedActionsActionFailed', 'RecordOutcome'];
  const handlers: Record<string, TaskHandler> = Object.fromEntries(states.map((state) => [state, task]));
  // The waiting state calls the real step (token kept server-side), then a person decides.
  handlers.AwaitApproval = async (input) => {
    await task(input);
    return decision();
  };
  return { handlers, notices, recorded };
}

const plan = (automatic: PlannedAction['action'][], approval: PlannedAction['action'][]) => ({
  automatic: incident.plan.automatic.filter((action) => automatic.includes(action.action)),
  approval: incident.plan.approval.filter((action) => approval.includes(action.action)),
});

describe('containment end to end: synthesized workflow, real steps, Kubernetes fake over HTTP', () => {
  it('isolates the pod and revokes its sessions automatically, and scales down only once approved', async () => {
    const subject = { ...incident, plan: plan(['capture-evidence', 'isolate-pod', 'revoke-role-sessions'], ['scale-down']) };
    const { handlers, notices, recorded } = wiring(async () => ({ decision: 'approved', by: 'alice' }));
    await execute(definition, { incident: subject, dryRun: false }, handlers);
    const { namespace, pod } = incident.workload;
    expect(fake.object('pods', namespace!, pod!)!.metadata.labels).toMatchObject({ 'pivotguard.io/quarantine': incident.id });
    expect(fake.names('networkpolicies', namespace!)).toEqual([`pivotguard-quarantine-${incident.id}`]);
    expect(iam.commandCalls(PutRolePolicyCommand)[0]!.args[0].input.PolicyName).toBe(`pivotguard-revoke-${incident.id}`);
    expect(fake.object('deployments', namespace!, 'checkout')!.spec).toMatchObject({ replicas: 0 });
    expect(s3.commandCalls(PutObjectCommand).length).toBeGreaterThan(incident.signals.length);
    expect(notices[0]).toMatch(/Running now:\n- capture-evidence/);
    expect(recorded.map((record) => [record.action, record.result])).toEqual([
      ['capture-evidence', 'already-applied'],
      ['isolate-pod', 'applied'],
      ['revoke-role-sessions', 'applied'],
      ['scale-down', 'applied'],
    ]);
    expect(recorded.find((record) => record.action === 'scale-down')!.undo).toMatchObject({ kind: 'restore-replicas', replicas: 2 });
  });

  it('changes nothing when rejected, beyond the automatic tier', async () => {
    const subject = { ...incident, plan: plan(['isolate-pod'], ['scale-down']) };
    const { handlers } = wiring(async () => {
      throw Object.assign(new Error('rejected by bob'), { name: 'Rejected' });
    });
    await execute(definition, { incident: subject, dryRun: false }, handlers);
    expect(fake.object('deployments', incident.workload.namespace!, 'checkout')!.spec).toMatchObject({ replicas: 2 });
  });

  it('runs dry: the whole workflow records what it would do and mutates nothing', async () => {
    const subject = { ...incident, plan: plan(['isolate-pod', 'revoke-role-sessions'], ['scale-down']) };
    const { handlers, recorded } = wiring(async () => ({ decision: 'approved' }));
    await execute(definition, { incident: subject, dryRun: true }, handlers);
    expect(fake.mutations()).toEqual([]);
    expect(iam.commandCalls(PutRolePolicyCommand)).toEqual([]);
    expect(s3.commandCalls(PutObjectCommand)).toEqual([]);
    expect(recorded.map((record) => record.result)).toEqual(['dry-run', 'dry-run', 'dry-run']);
  });

  it('records a forbidden action as failed and still revokes the sessions', async () => {
    fake.forbid('create', 'networkpolicies');
    const subject = { ...incident, plan: plan(['isolate-pod', 'revoke-role-sessions'], []) };
    const { handlers, recorded } = wiring(async () => ({ decision: 'approved' }));
    await execute(definition, { incident: subject, dryRun: false }, handlers);
    expect(recorded.map((record) => [record.action, record.result])).toEqual([
      ['isolate-pod', 'failed'],
      ['revoke-role-sessions', 'applied'],
    ]);
  });

  it('does not act twice when the execution is retried', async () => {
    const subject = { ...incident, plan: plan(['isolate-pod', 'revoke-role-sessions'], []) };
    await execute(definition, { incident: subject, dryRun: false }, wiring(async () => ({})).handlers);
    iam.on(GetRolePolicyCommand).resolves({ PolicyDocument: encodeURIComponent(String(iam.commandCalls(PutRolePolicyCommand)[0]!.args[0].input.PolicyDocument)) });
    const again = wiring(async () => ({}));
    await execute(definition, { incident: subject, dryRun: false }, again.handlers);
    expect(again.recorded.map((record) => record.result)).toEqual(['already-applied', 'already-applied']);
    expect(iam.commandCalls(PutRolePolicyCommand)).toHaveLength(1);
    expect(fake.names('networkpolicies', incident.workload.namespace!)).toHaveLength(1);
  });
});
