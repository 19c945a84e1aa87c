import { performance } from 'node:perf_hooks';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Incident } from '#core/model/incident';
import { type Severity, severityRank } from '#core/model/signal';
import type { ActionRecord } from '#core/respond/action';
import type { IncidentResponse, UndoneRecord } from '#core/respond/response';
import type { ResponseStore } from '#core/store/response-store';
import { ContainmentDesk } from '../approval/containment-desk.ts';
import { EvidenceLocker } from '../containment/evidence.ts';
import { executionName } from '../containment/execution-names.ts';
import { IamRevocation } from '../containment/iam-revocation.ts';
import { type StepPayload, containmentSteps } from '../containment/steps.ts';
import { KubernetesContainment } from '../kubernetes/containment.ts';
import { KubeApiFake } from './kube-api-fake.ts';
import { LocalEvidenceBucket, LocalIamAccount } from './local-aws.ts';
import { type TaskHandler, approvalWait, execute, synthesizedDefinition, taskStates } from './local-workflow.ts';

export interface LocalContainmentOptions {
  /** The person at the terminal decides up front: approve, reject, or let the wait time out. */
  decision: 'approve' | 'reject' | 'timeout';
  dryRun: boolean;
  /** Where the local evidence bucket keeps its objects. */
  evidenceDirectory: string;
  responses: ResponseStore;
  /** Who approved or rejected. */
  by: string;
  /** One line per workflow step, as it happens. */
  onStep?: (line: string) => void;
}

export interface LocalContainmentResult {
  incident: Incident;
  response: IncidentResponse;
  /** Workflow start to the first containment step applied, in workflow time (no AWS propagation). */
  firstContainmentMs?: number;
  /** What the stand-ins hold afterwards: the deny policies written, the cluster's changed objects. */
  policies: Record<string, Record<string, unknown>>;
  emails: { subject: string; message: string }[];
}

const LINK_SECRET = 'local-replay';

/**
 * Runs the containment state machine, synthesized from the stack's own construct, for each
 * incident, with the production step handlers against local stand-ins: a Kubernetes API on
 * 127.0.0.1 seeded with the incident's pod and owners, an IAM account holding the incident's
 * roles, and an evidence bucket in a directory.
 */
export async function containLocally(incidents: readonly Incident[], options: LocalContainmentOptions): Promise<LocalContainmentResult[]> {
  const definition = synthesizedDefinition();
  const cluster = await KubeApiFake.start();
  try {
    const results: LocalContainmentResult[] = [];
    for (const incident of incidents) results.push(await containOne(incident, definition, cluster, options));
    return results;
  } finally {
    await cluster.stop();
  }
}

async function containOne(incident: Incident, definition: Record<string, unknown>, cluster: KubeApiFake, options: LocalContainmentOptions): Promise<LocalContainmentResult> {
  cluster.reset();
  seedCluster(cluster, incident);
  const iam = new LocalIamAccount(incident.identities.map((identity) => identity.roleArn));
  const started = performance.now();
  // Workflow time starts when the replay opened the incident, so the response reads like a live one.
  const openedAt = (await options.responses.getResponse(incident.id))?.openedAt ?? incident.lastSeen;
  const clock = () => new Date(Date.parse(openedAt) + (performance.now() - started));
  const emails: LocalContainmentResult['emails'] = [];
  const say = options.onStep ?? (() => {});
  let firstContainmentMs: number | undefined;

  // The replay's incident is the whole store: nothing changes it while the local workflow runs.
  const incidents = { getIncident: async (id: string) => (id === incident.id ? incident : undefined) };
  const steps = containmentSteps({
    incidents,
    // The stand-ins answer the same commands as the AWS clients; only `send` is used.
    evidence: new EvidenceLocker(new LocalEvidenceBucket(options.evidenceDirectory) as unknown as S3Client, { bucket: 'local', objectLock: false, clock }),
    iam: new IamRevocation(iam as unknown as IAMClient, clock),
    kubernetes: async (name) => new KubernetesContainment(cluster.kubeConfig(name), { clock }),
    recordsBehind: async (shown) => shown.signals.map((signal) => ({ eventId: signal.eventId, source: signal.source, raw: signal })),
    notify: async (_, subject, message) => {
      emails.push({ subject, message });
      say(`email: ${subject}`);
    },
    responses: options.responses,
    linkSecret: async () => LINK_SECRET,
    approvalTimeoutMs: 24 * 3600_000,
    clock,
  });
  const wait = approvalWait(
    (payload) => task(payload),
    async (token) => {
      if (options.decision === 'timeout') {
        say('approval: nobody decides in a local run without --approve or --reject; the wait times out');
        wait.timeOut(token);
        return;
      }
      const outcome = await desk.decide({ incidentId: incident.id, decision: options.decision, by: options.by });
      say(outcome.ok ? `approval: ${options.decision === 'approve' ? 'approved' : 'rejected'} by ${options.by}` : `approval: ${outcome.reason}`);
    },
  );
  const desk = new ContainmentDesk({
    incidents,
    responses: options.responses,
    workflow: wait.decisions,
    undo: async (request) => (await steps({ step: 'undo', ...request })) as UndoneRecord[],
    clock,
  });

  const task: TaskHandler = async (input) => {
    const result = await steps(input as unknown as StepPayload);
    const record = result as Partial<ActionRecord> | undefined;
    if ((input.step === 'run-action' || input.step === 'action-failed') && record?.action) {
      say(`${record.action} ${record.target}: ${record.result}. ${record.detail}`);
      if (record.result === 'applied' && firstContainmentMs === undefined) firstContainmentMs = performance.now() - started;
    }
    if (input.step === 'capture-evidence') say(`capture-evidence: ${(result as { record: ActionRecord }).record.detail}`);
    return result;
  };
  const handlers: Record<string, TaskHandler> = Object.fromEntries(taskStates(definition).map((state) => [state, task]));
  handlers.AwaitApproval = wait.handler;

  say(`containing ${incident.id}${options.dryRun ? ' (dry run)' : ''}`);
  await execute(definition, { incident, dryRun: options.dryRun, approvalUrl: '' }, handlers, { execution: executionName(incident.id), taskToken: `local-${incident.id}` });
  const policies = Object.fromEntries(
    [...iam.policies].map(([role, named]) => [role, Object.fromEntries([...named].map(([name, text]) => [name, JSON.parse(text) as unknown]))]),
  );
  return { incident, response: (await options.responses.getResponse(incident.id))!, firstContainmentMs, policies, emails };
}

/** The incident's pod as the cluster would have it: its node, its ReplicaSet and Deployment (2 replicas). */
function seedCluster(cluster: KubeApiFake, incident: Incident): void {
  const { namespace, pod, owner, node } = incident.workload;
  if (node) cluster.seed('nodes', { metadata: { name: node }, spec: {} });
  if (!namespace || !pod) return;
  const [kind, name] = owner?.split('/') ?? [];
  let podOwner: { apiVersion: string; kind: string; name: string; uid: string; controller: true } | undefined;
  if (kind === 'Deployment' && name) {
    const replicaSet = pod.split('-').slice(0, -1).join('-') || `${name}-local`;
    cluster.seed('deployments', { metadata: { name, namespace }, spec: { replicas: 2 } });
    cluster.seed('replicasets', {
      metadata: { name: replicaSet, namespace, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: 'local-deployment', controller: true }] },
      spec: { replicas: 2 },
    });
    podOwner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: replicaSet, uid: 'local-replicaset', controller: true };
  } else if ((kind === 'StatefulSet' || kind === 'ReplicaSet') && name) {
    cluster.seed(kind === 'StatefulSet' ? 'statefulsets' : 'replicasets', { metadata: { name, namespace }, spec: { replicas: 2 } });
    podOwner = { apiVersion: 'apps/v1', kind, name, uid: 'local-owner', controller: true };
  }
  cluster.seed('pods', {
    metadata: { name: pod, namespace, labels: { app: name ?? pod }, ...(podOwner ? { ownerReferences: [podOwner] } : {}) },
    spec: { ...(node ? { nodeName: node } : {}), containers: [{ name: 'app', image: incident.workload.image ?? 'unknown' }] },
  });
  cluster.seedLog(namespace, pod, 'app', 'local replay: the cluster is a stand-in; the pod has no real logs\n');
}

/**
 * When a live pivotguard would have opened the incident: at its first signal as severe as the
 * incident is (or as containment requires). A replay reads records faster than they happened,
 * so record time is the only clock it has.
 */
export function replayOpenedAt(incident: Incident, containFrom: Severity): string {
  const needed = Math.min(severityRank[incident.severity], severityRank[containFrom]);
  const first = incident.signals.filter((signal) => severityRank[signal.severity] >= needed).map((signal) => signal.time).sort()[0];
  return first ?? incident.firstSeen;
}
