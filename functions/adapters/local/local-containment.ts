import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { IAMClient } from '@aws-sdk/client-iam';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Incident } from '#core/model/incident';
import { type Severity, severityRank } from '#core/model/signal';
import type { ActionRecord } from '#core/respond/action';
import { type IncidentResponse, type UndoneRecord, actionKey, uncoveredPlan } from '#core/respond/response';
import type { ResponseStore } from '#core/store/response-store';
import { ContainmentDesk } from '../approval/containment-desk.ts';
import { EvidenceLocker } from '../containment/evidence.ts';
import { executionName, revisionName } from '../containment/execution-names.ts';
import { IamRevocation } from '../containment/iam-revocation.ts';
import { type StepPayload, containmentSteps } from '../containment/steps.ts';
import { KubernetesContainment } from '../kubernetes/containment.ts';
import { KubeApiFake } from './kube-api-fake.ts';
import { LocalEvidenceBucket, LocalIamAccount } from './local-aws.ts';
import { containmentDefinition } from './containment-definition.ts';
import { type TaskHandler, approvalWait, execute, taskStates } from './state-machine-runner.ts';

export interface LocalContainmentOptions {
  /** The person at the terminal decides up front: approve, reject, or let the wait time out. */
  decision: 'approve' | 'reject' | 'timeout';
  dryRun: boolean;
  /** Where the local evidence bucket keeps its objects; created when evidence is written. */
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
  /** The execution that ran, or undefined when earlier replays had taken on the whole plan already. */
  execution?: string;
  /** Workflow start to the first containment step applied, measured on this machine (no AWS propagation). */
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
 * roles, and an evidence bucket in a directory. As the analyzer does, an incident whose plan
 * earlier runs took on entirely is not contained again, and one whose plan grew gets a revision
 * for the new steps only, so replaying the same records into the same state changes nothing.
 */
export async function containLocally(incidents: readonly Incident[], options: LocalContainmentOptions): Promise<LocalContainmentResult[]> {
  const results: LocalContainmentResult[] = [];
  const pending: { incident: Incident; plan: Incident['plan']; execution: string }[] = [];
  for (const incident of incidents) {
    const response = await options.responses.getResponse(incident.id);
    // A dry run changed nothing: what it covered is still to do when the person runs it for real.
    const applied = response && { ...response, workflow: response.workflow?.dryRun ? undefined : response.workflow, revisions: response.revisions?.filter((revision) => !revision.dryRun) };
    const plan = uncoveredPlan(incident.plan, applied);
    const covers = [...plan.automatic, ...plan.approval].map(actionKey);
    if (response && (applied?.workflow || applied?.revisions?.length) && covers.length === 0) {
      options.onStep?.(`${incident.id}: an earlier replay contained it already; nothing new to do`);
      results.push({ incident, response, policies: {}, emails: [] });
      continue;
    }
    pending.push({ incident, plan, execution: response?.workflow ? revisionName(incident.id, covers) : executionName(incident.id) });
  }
  if (pending.length === 0) return results;
  const definition = await containmentDefinition();
  const cluster = await KubeApiFake.start();
  try {
    for (const { incident, plan, execution } of pending) results.push(await containOne({ ...incident, plan }, execution, definition, cluster, options));
    return results;
  } finally {
    await cluster.stop();
  }
}

async function containOne(
  incident: Incident,
  execution: string,
  definition: Record<string, unknown>,
  cluster: KubeApiFake,
  options: LocalContainmentOptions,
): Promise<LocalContainmentResult> {
  cluster.reset();
  seedCluster(cluster, incident);
  const iam = new LocalIamAccount(incident.identities.map((identity) => identity.roleArn));
  const started = performance.now();
  // The records' clock, stopped when the replay opened the incident: a replay runs in no time of its own, and the
  // same records give the same timestamps, policies and evidence on every run.
  const openedAt = new Date((await options.responses.getResponse(incident.id))?.openedAt ?? incident.lastSeen);
  const clock = () => new Date(openedAt);
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
      if (outcome.ok) {
        say(`approval: ${options.decision === 'approve' ? 'approved' : 'rejected'} by ${options.by}`);
        return;
      }
      // Nobody else can decide a local wait: one that was not decided now would wait forever.
      say(`approval: ${outcome.reason}; the wait times out`);
      wait.timeOut(token);
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

  say(`containing ${incident.id}${options.dryRun ? ' (dry run)' : ''}${execution === executionName(incident.id) ? '' : ` (revision ${execution}: the steps earlier replays did not take on)`}`);
  // Each run waits under its own token: a token an interrupted run left recorded is never mistaken for this one.
  const taskToken = `local-${incident.id}-${randomUUID()}`;
  await execute(definition, { incident, dryRun: options.dryRun, approvalUrl: '' }, handlers, { execution, startTime: openedAt.toISOString(), taskToken });
  const policies = Object.fromEntries(
    [...iam.policies].map(([role, named]) => [role, Object.fromEntries([...named].map(([name, text]) => [name, JSON.parse(text) as unknown]))]),
  );
  return { incident, response: (await options.responses.getResponse(incident.id))!, execution, firstContainmentMs, policies, emails };
}

/** The incident's pod as the cluster would have it: its node, its ReplicaSet and Deployment (2 replicas). */
function seedCluster(cluster: KubeApiFake, incident: Incident): void {
  const { namespace, pod, owner, node } = incident.workload;
  if (node) cluster.seed('nodes', { metadata: { name: node, uid: standInUid('nodes', '', node) }, spec: {} });
  if (!namespace || !pod) return;
  const [kind, name] = owner?.split('/') ?? [];
  let podOwner: { apiVersion: string; kind: string; name: string; uid: string; controller: true } | undefined;
  if (kind === 'Deployment' && name) {
    const replicaSet = pod.split('-').slice(0, -1).join('-') || `${name}-local`;
    const deploymentUid = standInUid('deployments', namespace, name);
    const replicaSetUid = standInUid('replicasets', namespace, replicaSet);
    cluster.seed('deployments', { metadata: { name, namespace, uid: deploymentUid }, spec: { replicas: 2 } });
    cluster.seed('replicasets', {
      metadata: { name: replicaSet, namespace, uid: replicaSetUid, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: deploymentUid, controller: true }] },
      spec: { replicas: 2 },
    });
    podOwner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: replicaSet, uid: replicaSetUid, controller: true };
  } else if ((kind === 'StatefulSet' || kind === 'ReplicaSet') && name) {
    const resource = kind === 'StatefulSet' ? 'statefulsets' : 'replicasets';
    const uid = standInUid(resource, namespace, name);
    cluster.seed(resource, { metadata: { name, namespace, uid }, spec: { replicas: 2 } });
    podOwner = { apiVersion: 'apps/v1', kind, name, uid, controller: true };
  }
  cluster.seed('pods', {
    metadata: { name: pod, namespace, uid: standInUid('pods', namespace, pod), labels: { app: name ?? pod }, ...(podOwner ? { ownerReferences: [podOwner] } : {}) },
    spec: { ...(node ? { nodeName: node } : {}), containers: [{ name: 'app', image: incident.workload.image ?? 'unknown' }] },
  });
  cluster.seedLog(namespace, pod, 'app', 'local replay: the cluster is a stand-in; the pod has no real logs\n');
}

/** A stand-in object's uid, the same on every run, so the evidence captured from it is too. */
function standInUid(resource: string, namespace: string, name: string): string {
  const hex = createHash('sha256').update(`${resource}/${namespace}/${name}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
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
