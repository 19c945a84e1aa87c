import { createHash, randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Incident } from '#core/model/incident';
import type { ActionRecord } from '#core/respond/action';
import type { IncidentResponse } from '#core/respond/response';
import type { ResponseStore } from '#core/store/response-store';
import { ContainmentDesk } from '../approval/containment-desk.ts';
import { EvidenceLocker } from '../containment/evidence.ts';
import { executionName } from '../containment/execution-names.ts';
import { IamRevocation } from '../containment/iam-revocation.ts';
import { type StepPayload, containmentSteps } from '../containment/steps.ts';
import { undoRecorded } from '../containment/undo.ts';
import type { ContainmentStarter } from '../containment/workflow-starter.ts';
import { KubernetesContainment } from '../kubernetes/containment.ts';
import { KubeApiFake } from './kube-api-fake.ts';
import { LocalEvidenceBucket, LocalIamOrganization } from './local-aws.ts';
import { LocalExecutions, type TaskHandler, approvalWait, execute, taskStates } from './state-machine-runner.ts';

export interface LocalContainmentOptions {
  /** The person at the terminal decides up front: approve, reject, or let the wait time out. */
  decision: 'approve' | 'reject' | 'timeout';
  /** Where the local evidence bucket keeps its objects; created when evidence is written. */
  evidenceDirectory: string;
  responses: ResponseStore;
  /** Who approved or rejected. */
  by: string;
  /** One line per workflow step, as it happens. */
  onStep?: (line: string) => void;
  /** The containment state machine's definition, loaded only when an incident is to be contained (synthesizing it takes seconds). */
  definition: () => Promise<Record<string, unknown>>;
}

export interface LocalContainmentResult {
  incident: Incident;
  response: IncidentResponse;
  /** The execution that ran, or undefined when earlier replays had taken on the whole plan already. */
  execution?: string;
  /** Workflow start to the first containment step applied, measured on this machine (no AWS propagation). */
  firstContainmentMs?: number;
  /** The deny policies the IAM stand-ins hold afterwards, by role ARN (the same role name in two accounts is two roles), then policy name. */
  policies: Record<string, Record<string, unknown>>;
  emails: { subject: string; message: string }[];
}

const LINK_SECRET = 'local-replay';

/**
 * Runs the containment state machine, synthesized from the stack's own construct, as the
 * containment starter of a replay: each start runs its execution to the end, with the production
 * step handlers against local stand-ins: a Kubernetes API on 127.0.0.1 seeded with the incident's
 * pod and owners, an IAM stand-in for each account holding the incident's roles, and an evidence bucket in a
 * directory. What to start (and what earlier replays covered) is the responder's to decide.
 */
export class LocalWorkflow implements ContainmentStarter {
  private readonly results = new Map<string, LocalContainmentResult>();
  // Set up on the first start: synthesizing the definition takes seconds, and most replays contain nothing.
  private setup?: Promise<{ definition: Record<string, unknown>; cluster: KubeApiFake }>;

  constructor(private readonly options: LocalContainmentOptions) {}

  /** Returns when the execution has finished; start one after another, as the stand-in cluster is shared and reset for each incident. */
  async start(incident: Incident, dryRun: boolean, execution = executionName(incident.id)): Promise<{ execution: string; started: boolean }> {
    this.setup ??= (async () => ({ definition: await this.options.definition(), cluster: await KubeApiFake.start() }))();
    const { definition, cluster } = await this.setup;
    this.results.set(incident.id, await containOne(incident, execution, dryRun, definition, cluster, this.options));
    return { execution, started: true };
  }

  /** What the incident's execution did in this run, if one ran. */
  resultOf(incidentId: string): LocalContainmentResult | undefined {
    return this.results.get(incidentId);
  }

  async stop(): Promise<void> {
    const setup = await this.setup?.catch(() => undefined);
    await setup?.cluster.stop();
  }
}

async function containOne(
  incident: Incident,
  execution: string,
  dryRun: boolean,
  definition: Record<string, unknown>,
  cluster: KubeApiFake,
  options: LocalContainmentOptions,
): Promise<LocalContainmentResult> {
  cluster.reset();
  seedCluster(cluster, incident);
  const iam = new LocalIamOrganization(
    incident.identities.map((identity) => identity.roleArn),
    (roleArn) => standInTrustPolicy(incident, roleArn),
  );
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
  // The steps check they run inside this run's execution, as the deployed function does with DescribeExecution.
  const executions = new LocalExecutions();
  const iamRevocation = new IamRevocation(iam, clock);
  const kubernetes = async (name: string) => new KubernetesContainment(cluster.kubeConfig(name), { clock });
  const steps = containmentSteps({
    incidents,
    // The stand-ins answer the same commands as the AWS clients; only `send` is used.
    evidence: new EvidenceLocker(new LocalEvidenceBucket(options.evidenceDirectory) as unknown as S3Client, { bucket: 'local', objectLock: false, clock }),
    iam: iamRevocation,
    kubernetes,
    recordsBehind: async (shown) => shown.signals.map((signal) => ({ eventId: signal.eventId, source: signal.source, raw: signal })),
    notify: async (_, subject, message) => {
      emails.push({ subject, message });
      say(`email: ${subject}`);
    },
    responses: options.responses,
    linkSecret: async () => LINK_SECRET,
    approvalTimeoutMs: 24 * 3600_000,
    clock,
    executions,
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
    // Undo runs apart from the workflow's steps, as the deployed undo function does.
    undo: (request) => undoRecorded(request, { responses: options.responses, iam: iamRevocation, kubernetes, clock }),
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

  say(
    `containing ${incident.id}${dryRun ? ' (dry run)' : ''}${execution === executionName(incident.id) ? '' : ` (revision ${execution}: the steps earlier replays did not take on)`}`,
  );
  // Each run waits under its own token: a token an interrupted run left recorded is never mistaken for this one.
  const taskToken = `local-${incident.id}-${randomUUID()}`;
  await execute(definition, { incident, dryRun, approvalUrl: '' }, handlers, { execution, startTime: openedAt.toISOString(), taskToken, executions });
  return { incident, response: (await options.responses.getResponse(incident.id))!, execution, firstContainmentMs, policies: iam.policiesByRoleArn(), emails };
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
      metadata: {
        name: replicaSet,
        namespace,
        uid: replicaSetUid,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name, uid: deploymentUid, controller: true }],
      },
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
    metadata: {
      name: pod,
      namespace,
      uid: standInUid('pods', namespace, pod),
      labels: { app: name ?? pod },
      ...(podOwner ? { ownerReferences: [podOwner] } : {}),
    },
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
 * A stand-in role's trust policy: for an IRSA role, the one eksctl and the EKS documentation write
 * (the cluster's OIDC provider, the service account's subject); otherwise the node's EC2 trust.
 */
function standInTrustPolicy(incident: Incident, roleArn: string): object {
  const identity = incident.identities.find((candidate) => candidate.roleArn === roleArn);
  const { cluster, namespace, serviceAccount } = incident.workload;
  if (identity?.via !== 'irsa' || !namespace || !serviceAccount) {
    return { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
  }
  const account = roleArn.split(':')[4];
  const issuer = `oidc.eks.us-east-1.amazonaws.com/id/${createHash('sha256')
    .update(cluster ?? '')
    .digest('hex')
    .slice(0, 32)
    .toUpperCase()}`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${account}:oidc-provider/${issuer}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: { StringEquals: { [`${issuer}:aud`]: 'sts.amazonaws.com', [`${issuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}` } },
      },
    ],
  };
}
