import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  type KubeConfig,
  NetworkingV1Api,
  PatchStrategy,
  type V1NetworkPolicy,
  type V1Node,
  type V1ObjectMeta,
  type V1Pod,
  type V1Service,
  setHeaderOptions,
} from '@kubernetes/client-node';
import type { ContainmentAction } from '#core/model/incident';
import { type ActionRecord, QUARANTINE_LABEL, type UndoStep, quarantinePolicyName } from '#core/respond/action';
import {
  DETACHED_LABELS_ANNOTATION,
  type DetachedLabel,
  type LabelDetachment,
  type StillAllowingReason,
  parseDetachedLabelsAnnotation,
  planLabelDetachment,
  validDetachedLabels,
} from '#core/respond/label-detachment';
import { type QuarantineNetworkPolicy, isIntactQuarantine, quarantineNetworkPolicy } from '#core/respond/network-policy';
import { AdmissionBlock, type ImageBlockTarget } from './admission-block.ts';

type KubernetesAction = Extract<ContainmentAction, 'isolate-pod' | 'restart-pod' | 'scale-down' | 'cordon-node'>;

/** What one containment step acts on. The pod actions need namespace and pod; cordon needs node. */
export interface KubernetesTarget {
  incidentId: string;
  cluster: string;
  namespace?: string;
  pod?: string;
  node?: string;
  /** Read what is needed to decide, change nothing, and report the undo that would be recorded. */
  dryRun: boolean;
}

/** What the evidence locker keeps of a pod; `notes` says what could not be read. */
export interface PodEvidence {
  podSpec?: unknown;
  /** Container name to its recent log lines. */
  podLogs?: Record<string, string>;
  notes: string[];
}

/** Enough of a log to see what ran, bounded so one noisy container cannot fill the Lambda. */
const POD_LOG_LINES = 1000;
const POD_LOG_BYTES = 2_000_000;

/** What executing one UndoStep did. Executing the same step again reports 'already-undone'. */
export interface UndoRecord {
  undo: UndoStep;
  startedAt: string;
  finishedAt: string;
  result: 'undone' | 'already-undone' | 'skipped' | 'failed';
  detail: string;
}

/** Marks a node pivotguard cordoned, so its undo never uncordons a node a person cordoned. */
export const CORDONED_BY_ANNOTATION = 'pivotguard.io/cordoned-by';

/** The target lacks the field an action needs: a bug in the caller, not a cluster condition. */
export class IncompleteTarget extends Error {
  constructor(
    readonly action: string,
    readonly missing: string,
  ) {
    super(`${action} needs a ${missing}`);
    this.name = 'IncompleteTarget';
  }
}

/** The step names a different cluster than the one this client talks to. */
export class WrongCluster extends Error {
  constructor(
    readonly wanted: string,
    readonly connected: string,
  ) {
    super(`asked to act on cluster ${wanted} but connected to ${connected}`);
    this.name = 'WrongCluster';
  }
}

/** The undo step belongs to another adapter (IAM). */
export class NotAKubernetesUndo extends Error {
  constructor(readonly kind: UndoStep['kind']) {
    super(`undo step ${kind} is not a Kubernetes step`);
    this.name = 'NotAKubernetesUndo';
  }
}

/**
 * The undo step names something pivotguard never creates. Undo input travels through workflow
 * state; a step that would delete an arbitrary NetworkPolicy or label is refused, not run.
 */
export class ForeignUndoStep extends Error {
  constructor(readonly reason: string) {
    super(`refusing undo step: ${reason}`);
    this.name = 'ForeignUndoStep';
  }
}

/** The API server answered with an error pivotguard has no decision for; retrying may help. */
export class KubernetesRequestFailed extends Error {
  constructor(
    readonly operation: Operation,
    readonly code: number,
    readonly serverMessage: string,
  ) {
    super(`${describeOperation(operation)} failed: HTTP ${code}${serverMessage ? ` ${serverMessage}` : ''}`);
    this.name = 'KubernetesRequestFailed';
  }
}

/** One API request in RBAC terms, so a 403 can say exactly which grant is missing. */
export interface Operation {
  verb: 'get' | 'list' | 'create' | 'update' | 'patch' | 'delete';
  /** With the subresource, as RBAC names it: "deployments/scale". */
  resource: string;
  group: string;
  /** Absent for a list. */
  name?: string;
  namespace?: string;
}

/** 403: thrown inside an action, turned into a 'failed' record at its edge. */
class RbacDenied extends Error {
  constructor(readonly operation: Operation) {
    super(`forbidden: ${describeOperation(operation)}`);
  }
}

type WorkloadKind = 'Deployment' | 'StatefulSet' | 'ReplicaSet';

interface Workload {
  kind: WorkloadKind;
  name: string;
  namespace: string;
}

const WORKLOAD_RESOURCE: Record<WorkloadKind, string> = {
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  ReplicaSet: 'replicasets',
};
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const JSON_PATCH = setHeaderOptions('Content-Type', PatchStrategy.JsonPatch);

/**
 * Containment on one cluster's Kubernetes API. Every action reads before it writes, so a
 * retry finds its own earlier work and reports 'already-applied' with the same undo; a dry
 * run stops after the reads; a missing RBAC grant becomes a 'failed' record that names it.
 */
export class KubernetesContainment {
  private readonly core: CoreV1Api;
  private readonly networking: NetworkingV1Api;
  private readonly apps: AppsV1Api;
  private readonly connectedTo: string | undefined;
  private readonly clock: () => Date;
  private readonly admission: AdmissionBlock;

  constructor(kubeConfig: KubeConfig, options: { clock?: () => Date } = {}) {
    this.core = kubeConfig.makeApiClient(CoreV1Api);
    this.networking = kubeConfig.makeApiClient(NetworkingV1Api);
    this.apps = kubeConfig.makeApiClient(AppsV1Api);
    this.connectedTo = kubeConfig.getCurrentCluster()?.name;
    this.clock = options.clock ?? (() => new Date());
    this.admission = new AdmissionBlock(kubeConfig, { clock: this.clock });
  }

  /** Denies new pods of the image cluster-wide (admission-block.ts). */
  async blockImageDigest(target: ImageBlockTarget): Promise<ActionRecord> {
    this.checkCluster(target.cluster);
    return this.admission.block(target);
  }

  /**
   * Labels the one pod and applies a deny-all NetworkPolicy selecting that label; the pod keeps
   * running for forensics. NetworkPolicies add up, so it also takes off the labels through which
   * other allowing policies and Services select the pod, recording them (with their values) in the
   * undo and on the pod, so a retry records the same undo.
   */
  async isolatePod(target: KubernetesTarget): Promise<ActionRecord> {
    const { namespace, pod } = this.podTarget('isolate-pod', target);
    const policy = quarantineNetworkPolicy(target.incidentId, namespace);
    const undoOf = (detachedLabels: Record<string, string>): UndoStep => ({
      kind: 'remove-pod-quarantine',
      cluster: target.cluster,
      namespace,
      pod,
      label: QUARANTINE_LABEL,
      networkPolicy: policy.metadata.name,
      ...(Object.keys(detachedLabels).length > 0 ? { detachedLabels } : {}),
    });
    let undo = undoOf({});
    const record = this.recorder('isolate-pod', target, `${target.cluster}/${namespace}/${pod}`);
    const where = `pod ${namespace}/${pod}`;
    // The policy goes first: alone it selects nothing, so a failure before the label leaves
    // the pod as it was, and one patch then labels the pod and detaches it in one step.
    let policyInCluster = false;
    try {
      const current = await this.readPod(namespace, pod);
      if (!current) return record('skipped', `${where} is gone; nothing to isolate`);
      if (current.spec?.hostNetwork === true) {
        return record(
          'skipped',
          `${where} uses its node's network, which no NetworkPolicy isolates; cordon the node and restart the pod (both wait for a person)`,
        );
      }
      const labels = current.metadata?.labels ?? {};
      const labelled = labels[QUARANTINE_LABEL];
      if (labelled !== undefined && labelled !== target.incidentId) {
        return record('skipped', `${where} is already quarantined by incident ${labelled}; undoing that incident releases it`);
      }
      // What an earlier attempt of this incident took off is on the pod; only ours when the quarantine label is.
      const detachedBefore = labelled ? (parseDetachedLabelsAnnotation(current.metadata?.annotations?.[DETACHED_LABELS_ANNOTATION]) ?? {}) : {};
      const existing = await this.readPolicy(namespace, policy.metadata.name);
      policyInCluster = existing !== undefined;
      const intact = existing !== undefined && isIntactQuarantine(existing, policy);
      const surroundings = await this.isolationSurroundings(namespace);
      const plan = surroundings.policies
        ? planLabelDetachment({
            podLabels: { ...labels, [QUARANTINE_LABEL]: target.incidentId },
            policies: surroundings.policies,
            services: surroundings.services ?? [],
            ownPolicy: policy.metadata.name,
          })
        : undefined;
      const detach = plan?.detach ?? [];
      const detachedLabels = { ...detachedBefore, ...Object.fromEntries(detach.map(({ key, value }) => [key, value])) };
      undo = undoOf(detachedLabels);
      const policyStep = existing
        ? `restore NetworkPolicy ${policy.metadata.name}, which had been changed`
        : `create deny-all NetworkPolicy ${policy.metadata.name}`;
      const todo = [
        ...(intact ? [] : [policyStep]),
        ...(labelled ? [] : [`label the pod ${QUARANTINE_LABEL}=${target.incidentId}`]),
        ...(detach.length > 0 ? [`take off its labels ${detach.map(describeDetached).join(', ')}`] : []),
      ];
      const outcome = isolationOutcome(plan, surroundings, detachedLabels, controllerOf(current.metadata));
      if (todo.length === 0) return record('already-applied', `${where} is already under NetworkPolicy ${policy.metadata.name}; ${outcome}`, undo);
      if (target.dryRun) return record('dry-run', `would ${todo.join(' and ')} (${where}); ${outcome}`, undo);
      if (!intact) {
        await this.writePolicy(policy, existing);
        policyInCluster = true;
      }
      const patch = quarantinePatch(current.metadata, target.incidentId, detach, detachedLabels);
      if (patch.length > 0) {
        const patched = await this.patchPod(namespace, pod, patch);
        if (!patched) return record('skipped', `${where} disappeared while being isolated; its NetworkPolicy selects nothing`, undoOf(detachedBefore));
      }
      return record('applied', `${todo.join(' and ')} (${where}); ${outcome}`, undo);
    } catch (error) {
      // Whatever of ours is in the cluster, from this attempt or an earlier one, leaves with its undo.
      if (error instanceof RbacDenied) return record('failed', forbiddenDetail(error.operation), policyInCluster ? undo : undefined);
      throw error;
    }
  }

  /**
   * The namespace's NetworkPolicies and Services, each undefined when pivotguard may not list
   * them: what decides which labels to take off and whether isolation is complete.
   */
  private async isolationSurroundings(namespace: string): Promise<IsolationSurroundings> {
    const listed = async <T>(resource: string, group: string, list: () => Promise<{ items: T[] }>): Promise<T[] | undefined> => {
      try {
        return (await this.maybe({ verb: 'list', resource, group, namespace }, list))?.items ?? [];
      } catch (error) {
        if (error instanceof RbacDenied) return undefined;
        throw error;
      }
    };
    const policies = await listed<V1NetworkPolicy>('networkpolicies', 'networking.k8s.io', () => this.networking.listNamespacedNetworkPolicy({ namespace }));
    const services = await listed<V1Service>('services', '', () => this.core.listNamespacedService({ namespace }));
    return { ...(policies ? { policies } : {}), ...(services ? { services } : {}) };
  }

  /** Deletes the pod so its controller starts a fresh one. Evidence must have been captured first. */
  async restartPod(target: KubernetesTarget): Promise<ActionRecord> {
    const { namespace, pod } = this.podTarget('restart-pod', target);
    const record = this.recorder('restart-pod', target, `${target.cluster}/${namespace}/${pod}`);
    const undo: UndoStep = {
      kind: 'none',
      reason: 'a deleted pod cannot come back; its controller started a fresh replica, and the evidence was captured before the delete',
    };
    const where = `pod ${namespace}/${pod}`;
    try {
      const current = await this.readPod(namespace, pod);
      if (!current) return record('skipped', `${where} is gone; nothing to restart`);
      const controller = controllerOf(current.metadata);
      // Isolation that took off the labels its controller selects released the pod: the controller already runs its replacement.
      const released = current.metadata?.annotations?.[DETACHED_LABELS_ANNOTATION] !== undefined;
      const recreator = controller ? `its ${controller.kind} ${controller.name}` : released ? 'the controller isolation released it from' : undefined;
      if (!recreator) return record('skipped', `${where} has no controller to recreate it; deleting it would not be a restart`);
      const uid = current.metadata?.uid;
      if (target.dryRun) return record('dry-run', `would delete ${where}; ${recreator} recreates it`, undo);
      // The uid precondition keeps a retry from deleting the replacement of a StatefulSet pod, which reuses the name.
      const outcome = await this.deletePod(namespace, pod, uid);
      if (outcome === 'gone') return record('skipped', `${where} disappeared before it was deleted; nothing to restart`);
      if (outcome === 'replaced') return record('already-applied', `${where} was already replaced by ${recreator}; nothing deleted`, undo);
      const fresh = controller ? 'starts a fresh replica' : 'already runs its replacement; the open connections end with the pod';
      return record('applied', `deleted ${where}; ${recreator} ${fresh}`, undo);
    } catch (error) {
      if (error instanceof RbacDenied) return record('failed', forbiddenDetail(error.operation));
      throw error;
    }
  }

  /** Scales the pod's owning Deployment or StatefulSet (or bare ReplicaSet) to 0, recording the count to restore. */
  async scaleDown(target: KubernetesTarget): Promise<ActionRecord> {
    const { namespace, pod } = this.podTarget('scale-down', target);
    const podRecord = this.recorder('scale-down', target, `${target.cluster}/${namespace}/${pod}`);
    const where = `pod ${namespace}/${pod}`;
    let record = podRecord;
    try {
      const current = await this.readPod(namespace, pod);
      if (!current) return podRecord('skipped', `${where} is gone; its owner cannot be found from it`);
      const found = await this.scalableOwner(namespace, current);
      if ('unscalable' in found) return podRecord('skipped', `${where} ${found.unscalable}; nothing to scale`);
      const workload = found.workload;
      record = this.recorder('scale-down', target, `${target.cluster}/${namespace}/${workload.kind}/${workload.name}`);
      const name = `${workload.kind} ${namespace}/${workload.name}`;
      const replicas = await this.readReplicas(workload);
      if (replicas === undefined) return record('skipped', `${name} is gone; nothing to scale`);
      if (replicas === 0) {
        return record('already-applied', `${name} is already at 0 replicas`, {
          kind: 'none',
          reason: `${name} was already at 0 when pivotguard looked; the count before is in the record of the step that scaled it`,
        });
      }
      const undo: UndoStep = {
        kind: 'restore-replicas',
        cluster: target.cluster,
        namespace,
        workloadKind: workload.kind,
        name: workload.name,
        replicas,
      };
      if (target.dryRun) return record('dry-run', `would scale ${name} from ${replicas} to 0 replicas`, undo);
      const scaled = await this.scaleTo(workload, 0);
      if (!scaled) return record('skipped', `${name} disappeared before it was scaled; nothing to scale`);
      return record('applied', `scaled ${name} from ${replicas} to 0 replicas`, undo);
    } catch (error) {
      if (error instanceof RbacDenied) return record('failed', forbiddenDetail(error.operation));
      throw error;
    }
  }

  /** Marks the node unschedulable so nothing new lands on it. Running pods stay: no drain. */
  async cordonNode(target: KubernetesTarget): Promise<ActionRecord> {
    this.checkCluster(target.cluster);
    const node = target.node;
    if (!node) throw new IncompleteTarget('cordon-node', 'node');
    const record = this.recorder('cordon-node', target, `${target.cluster}/${node}`);
    const undo: UndoStep = { kind: 'uncordon-node', cluster: target.cluster, node };
    try {
      const current = await this.readNode(node);
      if (!current) return record('skipped', `node ${node} is gone; nothing to cordon`);
      const cordonedBy = current.metadata?.annotations?.[CORDONED_BY_ANNOTATION];
      if (current.spec?.unschedulable) {
        if (cordonedBy === target.incidentId) return record('already-applied', `node ${node} is already cordoned`, undo);
        const by = cordonedBy ? `pivotguard incident ${cordonedBy}` : 'someone before pivotguard';
        return record('already-applied', `node ${node} was already cordoned by ${by}`, {
          kind: 'none',
          reason: `node ${node} was cordoned by ${by}; uncordoning it is their decision`,
        });
      }
      if (target.dryRun) return record('dry-run', `would cordon node ${node} (no drain: its pods keep running)`, undo);
      const patched = await this.patchNode(node, { spec: { unschedulable: true }, metadata: { annotations: { [CORDONED_BY_ANNOTATION]: target.incidentId } } });
      if (!patched) return record('skipped', `node ${node} disappeared before it was cordoned`);
      return record('applied', `cordoned node ${node}: no new pods are scheduled on it; its pods keep running`, undo);
    } catch (error) {
      if (error instanceof RbacDenied) return record('failed', forbiddenDetail(error.operation));
      throw error;
    }
  }

  /**
   * The pod as the API server has it and the recent logs of each container, for the evidence
   * locker, read before any step changes the pod. What cannot be read is said, not thrown:
   * evidence is stored with what there is.
   */
  async podEvidence(target: Pick<KubernetesTarget, 'cluster' | 'namespace' | 'pod'>): Promise<PodEvidence> {
    this.checkCluster(target.cluster);
    const { namespace, pod } = target;
    if (!namespace || !pod) return { notes: ['the incident names no pod'] };
    const notes: string[] = [];
    let spec: V1Pod | undefined;
    try {
      spec = await this.readPod(namespace, pod);
    } catch (error) {
      notes.push(error instanceof RbacDenied ? forbiddenDetail(error.operation) : (error as Error).message);
    }
    if (!spec) return { notes: [...notes, `pod ${namespace}/${pod} could not be read${notes.length ? '' : ': it is gone'}`] };
    const logs: Record<string, string> = {};
    for (const container of spec.spec?.containers ?? []) {
      const operation: Operation = { verb: 'get', resource: 'pods/log', group: '', name: pod, namespace };
      try {
        logs[container.name] = await this.attempt(operation, () =>
          this.core.readNamespacedPodLog({
            name: pod,
            namespace,
            container: container.name,
            tailLines: POD_LOG_LINES,
            limitBytes: POD_LOG_BYTES,
            timestamps: true,
          }),
        );
      } catch (error) {
        notes.push(`logs of ${container.name}: ${error instanceof RbacDenied ? forbiddenDetail(error.operation) : (error as Error).message}`);
      }
    }
    return { podSpec: spec, podLogs: logs, notes };
  }

  /** Puts back what one step changed. Each reversal checks first, so running it twice is harmless. */
  async undo(step: UndoStep): Promise<UndoRecord> {
    const startedAt = this.clock().toISOString();
    const done = (result: UndoRecord['result'], detail: string): UndoRecord => ({
      undo: step,
      startedAt,
      finishedAt: this.clock().toISOString(),
      result,
      detail,
    });
    if (step.kind === 'none') return done('skipped', `nothing to undo: ${step.reason}`);
    if (step.kind === 'delete-role-policy' || step.kind === 'restore-trust-policy') throw new NotAKubernetesUndo(step.kind);
    this.checkCluster(step.cluster);
    try {
      switch (step.kind) {
        case 'remove-pod-quarantine':
          return await this.removeQuarantine(step, done);
        case 'restore-replicas':
          return await this.restoreReplicas(step, done);
        case 'uncordon-node':
          return await this.uncordon(step, done);
        case 'delete-admission-block': {
          const { result, detail } = await this.admission.unblock(step);
          return done(result, detail);
        }
      }
    } catch (error) {
      if (error instanceof RbacDenied) return done('failed', forbiddenDetail(error.operation));
      throw error;
    }
  }

  /**
   * Takes off the quarantine label, puts back exactly the labels isolation took off (each only
   * while it is absent: a label someone set since keeps their value) and deletes the policy. A
   * step from before labels were detached carries none and undoes as it always did.
   */
  private async removeQuarantine(
    step: Extract<UndoStep, { kind: 'remove-pod-quarantine' }>,
    done: (result: UndoRecord['result'], detail: string) => UndoRecord,
  ): Promise<UndoRecord> {
    const { namespace, pod, label, networkPolicy } = step;
    const prefix = quarantinePolicyName('');
    if (label !== QUARANTINE_LABEL) throw new ForeignUndoStep(`label ${label} is not ${QUARANTINE_LABEL}`);
    if (!networkPolicy.startsWith(prefix)) throw new ForeignUndoStep(`NetworkPolicy ${networkPolicy} is not a pivotguard quarantine policy`);
    const detached = step.detachedLabels === undefined ? {} : validDetachedLabels(step.detachedLabels);
    if (!detached) throw new ForeignUndoStep('its detached labels are not a map of valid label keys to values, or name the quarantine label');
    // The label value is the incident id, which the policy name carries; only that value is ours to remove.
    const incidentId = networkPolicy.slice(prefix.length);
    const where = `pod ${namespace}/${pod}`;
    const changes: string[] = [];
    const notes: string[] = [];
    const current = await this.readPod(namespace, pod);
    const labels = current?.metadata?.labels ?? {};
    const value = labels[label];
    const patch: JsonPatchOperation[] = [];
    if (current && value === incidentId) patch.push(...removeLabel(label, incidentId));
    else if (current && value !== undefined) notes.push(`${where} carries ${label}=${value} of another incident; left as is`);
    const restored: string[] = [];
    const refused: string[] = [];
    if (current && Object.keys(detached).length > 0) {
      if (value !== undefined && value !== incidentId) {
        notes.push(`labels ${Object.keys(detached).join(', ')} not put back while another incident quarantines it`);
      } else {
        for (const [key, wanted] of Object.entries(detached)) {
          const now = labels[key];
          if (now === undefined) restored.push(key);
          else if (now !== wanted) refused.push(`refused to put back label ${key}=${wanted}: someone set it to ${now} since; left as is`);
        }
        patch.push(...restoreLabels(current.metadata, Object.fromEntries(restored.map((key) => [key, detached[key]!]))));
        if (current.metadata?.annotations?.[DETACHED_LABELS_ANNOTATION] !== undefined) {
          patch.push({ op: 'remove', path: `/metadata/annotations/${pointer(DETACHED_LABELS_ANNOTATION)}` });
        }
      }
    } else if (!current && Object.keys(detached).length > 0) {
      notes.push(`${where} is gone, so its labels ${Object.keys(detached).join(', ')} were not put back`);
    }
    if (current && patch.length > 0) {
      const patched = await this.patchPod(namespace, pod, patch);
      if (patched) {
        if (value === incidentId) changes.push(`removed label ${label} from ${where}`);
        if (restored.length > 0) changes.push(`put back its labels ${restored.map((key) => `${key}=${detached[key]}`).join(', ')}`);
        // A pod released from its controller by the detaching matches that controller's selector again.
        if (restored.length > 0 && !controllerOf(patched.metadata)) {
          notes.push('a controller whose selector matches these labels adopts the pod back and may delete one surplus replica');
        }
      } else {
        notes.push(`${where} disappeared before its labels were put back`);
      }
    }
    const deleted = await this.deletePolicy(namespace, networkPolicy);
    if (deleted) changes.push(`deleted NetworkPolicy ${namespace}/${networkPolicy}`);
    const noted = [...refused, ...notes].map((note) => `; ${note}`).join('');
    if (changes.length > 0) return done('undone', `${changes.join(' and ')}${noted}`);
    if (refused.length > 0) return done('skipped', `nothing put back on ${where}${noted}`);
    return done('already-undone', `${where} is not quarantined by ${networkPolicy}${noted}`);
  }

  private async restoreReplicas(
    step: Extract<UndoStep, { kind: 'restore-replicas' }>,
    done: (result: UndoRecord['result'], detail: string) => UndoRecord,
  ): Promise<UndoRecord> {
    const workload: Workload = { kind: step.workloadKind, name: step.name, namespace: step.namespace };
    const name = `${step.workloadKind} ${step.namespace}/${step.name}`;
    const replicas = await this.readReplicas(workload);
    if (replicas === undefined) return done('skipped', `${name} is gone; nothing to restore`);
    if (replicas === step.replicas) return done('already-undone', `${name} is already at ${replicas} replicas`);
    // Anything but 0 means someone scaled it since; their decision stands.
    if (replicas !== 0) {
      return done('skipped', `${name} is at ${replicas} replicas, not the 0 pivotguard left; someone changed it since, so it is left alone`);
    }
    const scaled = await this.scaleTo(workload, step.replicas);
    if (!scaled) return done('skipped', `${name} disappeared before it was restored`);
    return done('undone', `scaled ${name} back from 0 to ${step.replicas} replicas`);
  }

  private async uncordon(
    step: Extract<UndoStep, { kind: 'uncordon-node' }>,
    done: (result: UndoRecord['result'], detail: string) => UndoRecord,
  ): Promise<UndoRecord> {
    const { node } = step;
    const current = await this.readNode(node);
    if (!current) return done('skipped', `node ${node} is gone; nothing to uncordon`);
    if (!current.spec?.unschedulable) return done('already-undone', `node ${node} is schedulable`);
    if (current.metadata?.annotations?.[CORDONED_BY_ANNOTATION] === undefined) {
      return done('skipped', `node ${node} is cordoned, but not by pivotguard (no ${CORDONED_BY_ANNOTATION} annotation); left cordoned`);
    }
    const patched = await this.patchNode(node, { spec: { unschedulable: null }, metadata: { annotations: { [CORDONED_BY_ANNOTATION]: null } } });
    if (!patched) return done('skipped', `node ${node} disappeared before it was uncordoned`);
    return done('undone', `uncordoned node ${node}`);
  }

  private recorder(action: KubernetesAction, target: KubernetesTarget, where: string) {
    const startedAt = this.clock().toISOString();
    return (result: ActionRecord['result'], detail: string, undo?: UndoStep): ActionRecord => ({
      action,
      incidentId: target.incidentId,
      target: where,
      startedAt,
      finishedAt: this.clock().toISOString(),
      result,
      detail,
      ...(undo ? { undo } : {}),
    });
  }

  private podTarget(action: KubernetesAction, target: KubernetesTarget): { namespace: string; pod: string } {
    this.checkCluster(target.cluster);
    if (!target.namespace) throw new IncompleteTarget(action, 'namespace');
    if (!target.pod) throw new IncompleteTarget(action, 'pod');
    return { namespace: target.namespace, pod: target.pod };
  }

  private checkCluster(cluster: string): void {
    if (this.connectedTo !== undefined && this.connectedTo !== cluster) throw new WrongCluster(cluster, this.connectedTo);
  }

  private readPod(namespace: string, name: string): Promise<V1Pod | undefined> {
    return this.maybe({ verb: 'get', resource: 'pods', group: '', name, namespace }, () => this.core.readNamespacedPod({ name, namespace }));
  }

  /** A JSON patch (RFC 6902): its `test` operations make the API server refuse it if a label changed since it was read. */
  private patchPod(namespace: string, name: string, body: JsonPatchOperation[]): Promise<V1Pod | undefined> {
    return this.maybe({ verb: 'patch', resource: 'pods', group: '', name, namespace }, () =>
      this.core.patchNamespacedPod({ name, namespace, body }, JSON_PATCH),
    );
  }

  private async deletePod(namespace: string, name: string, uid: string | undefined): Promise<'deleted' | 'gone' | 'replaced'> {
    const operation: Operation = { verb: 'delete', resource: 'pods', group: '', name, namespace };
    try {
      const preconditions = uid ? { body: { preconditions: { uid } } } : {};
      await this.attempt(operation, () => this.core.deleteNamespacedPod({ name, namespace, ...preconditions }));
      return 'deleted';
    } catch (error) {
      if (error instanceof KubernetesRequestFailed && error.code === 404) return 'gone';
      if (error instanceof KubernetesRequestFailed && error.code === 409) return 'replaced';
      throw error;
    }
  }

  private readNode(name: string): Promise<V1Node | undefined> {
    return this.maybe({ verb: 'get', resource: 'nodes', group: '', name }, () => this.core.readNode({ name }));
  }

  /** A JSON merge patch: null removes a field, which is how uncordon clears spec.unschedulable. */
  private patchNode(name: string, body: object): Promise<V1Node | undefined> {
    return this.maybe({ verb: 'patch', resource: 'nodes', group: '', name }, () => this.core.patchNode({ name, body }, MERGE_PATCH));
  }

  private readPolicy(namespace: string, name: string): Promise<V1NetworkPolicy | undefined> {
    return this.maybe({ verb: 'get', resource: 'networkpolicies', group: 'networking.k8s.io', name, namespace }, () =>
      this.networking.readNamespacedNetworkPolicy({ name, namespace }),
    );
  }

  /** True when it deleted the policy, false when there was none. */
  private async deletePolicy(namespace: string, name: string): Promise<boolean> {
    const operation: Operation = { verb: 'delete', resource: 'networkpolicies', group: 'networking.k8s.io', name, namespace };
    return (await this.maybe(operation, () => this.networking.deleteNamespacedNetworkPolicy({ name, namespace }))) !== undefined;
  }

  /** Creates the policy, or puts it back the way it must be when it exists but was changed. */
  private async writePolicy(policy: QuarantineNetworkPolicy, existing: V1NetworkPolicy | undefined): Promise<void> {
    const { name, namespace } = policy.metadata;
    const operation = (verb: Operation['verb']): Operation => ({ verb, resource: 'networkpolicies', group: 'networking.k8s.io', name, namespace });
    let current = existing;
    if (!current) {
      try {
        await this.attempt(operation('create'), () => this.networking.createNamespacedNetworkPolicy({ namespace, body: policy }));
        return;
      } catch (error) {
        // A concurrent attempt created it between our read and create: compare it like any existing one.
        if (!(error instanceof KubernetesRequestFailed && error.code === 409)) throw error;
        current = await this.readPolicy(namespace, name);
        if (!current) throw error;
        if (isIntactQuarantine(current, policy)) return;
      }
    }
    const body = { ...policy, metadata: { ...policy.metadata, resourceVersion: current.metadata?.resourceVersion } };
    await this.attempt(operation('update'), () => this.networking.replaceNamespacedNetworkPolicy({ name, namespace, body }));
  }

  /** Follows ownerReferences: a ReplicaSet owned by a Deployment means the Deployment. */
  private async scalableOwner(namespace: string, pod: V1Pod): Promise<{ workload: Workload } | { unscalable: string }> {
    const owner = controllerOf(pod.metadata);
    if (!owner) return { unscalable: 'has no controller' };
    if (owner.kind === 'StatefulSet') return { workload: { kind: 'StatefulSet', name: owner.name, namespace } };
    if (owner.kind !== 'ReplicaSet') return { unscalable: `is run by ${owner.kind} ${owner.name}, which has no replica count` };
    const replicaSet = await this.maybe({ verb: 'get', resource: 'replicasets', group: 'apps', name: owner.name, namespace }, () =>
      this.apps.readNamespacedReplicaSet({ name: owner.name, namespace }),
    );
    if (!replicaSet) return { unscalable: `belongs to ReplicaSet ${owner.name}, which is gone` };
    const deployment = controllerOf(replicaSet.metadata);
    if (deployment?.kind === 'Deployment') return { workload: { kind: 'Deployment', name: deployment.name, namespace } };
    if (deployment) return { unscalable: `belongs to ReplicaSet ${owner.name}, run by ${deployment.kind} ${deployment.name}` };
    return { workload: { kind: 'ReplicaSet', name: owner.name, namespace } };
  }

  /** spec.replicas as the API server defaults it (1 when unset); undefined when the workload is gone. */
  private async readReplicas({ kind, name, namespace }: Workload): Promise<number | undefined> {
    const operation: Operation = { verb: 'get', resource: WORKLOAD_RESOURCE[kind], group: 'apps', name, namespace };
    const found = await this.maybe<{ spec?: { replicas?: number } }>(operation, () => {
      const request = { name, namespace };
      if (kind === 'Deployment') return this.apps.readNamespacedDeployment(request);
      if (kind === 'StatefulSet') return this.apps.readNamespacedStatefulSet(request);
      return this.apps.readNamespacedReplicaSet(request);
    });
    return found ? (found.spec?.replicas ?? 1) : undefined;
  }

  private async scaleTo({ kind, name, namespace }: Workload, replicas: number): Promise<boolean> {
    const operation: Operation = { verb: 'patch', resource: `${WORKLOAD_RESOURCE[kind]}/scale`, group: 'apps', name, namespace };
    const request = { name, namespace, body: { spec: { replicas } } };
    const scaled = await this.maybe(operation, () => {
      if (kind === 'Deployment') return this.apps.patchNamespacedDeploymentScale(request, MERGE_PATCH);
      if (kind === 'StatefulSet') return this.apps.patchNamespacedStatefulSetScale(request, MERGE_PATCH);
      return this.apps.patchNamespacedReplicaSetScale(request, MERGE_PATCH);
    });
    return scaled !== undefined;
  }

  /** The request's result, or undefined when the object does not exist (404). */
  private async maybe<T>(operation: Operation, request: () => Promise<T>): Promise<T | undefined> {
    try {
      return await this.attempt(operation, request);
    } catch (error) {
      if (error instanceof KubernetesRequestFailed && error.code === 404) return undefined;
      throw error;
    }
  }

  /** Runs one request; 403 becomes RbacDenied, any other API error a KubernetesRequestFailed naming the request. */
  private async attempt<T>(operation: Operation, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      if (!(error instanceof ApiException)) throw error;
      if (error.code === 403) throw new RbacDenied(operation);
      throw new KubernetesRequestFailed(operation, error.code, statusMessage(error.body));
    }
  }
}

/** One RFC 6902 operation, with an RFC 6901 path. */
type JsonPatchOperation = { op: 'add' | 'test'; path: string; value: unknown } | { op: 'remove'; path: string };

/** The namespace's policies and Services; each absent when pivotguard may not list it. */
interface IsolationSurroundings {
  policies?: V1NetworkPolicy[];
  services?: V1Service[];
}

/** A label or annotation key as one RFC 6901 reference token ("/" in a key becomes "~1"). */
function pointer(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Removes a label only while it still has the value read: a `test` the API server checks first. */
function removeLabel(key: string, value: string): JsonPatchOperation[] {
  const path = `/metadata/labels/${pointer(key)}`;
  return [
    { op: 'test', path, value },
    { op: 'remove', path },
  ];
}

function restoreLabels(metadata: V1ObjectMeta | undefined, labels: Record<string, string>): JsonPatchOperation[] {
  if (Object.keys(labels).length === 0) return [];
  if (!metadata?.labels) return [{ op: 'add', path: '/metadata/labels', value: labels }];
  return Object.entries(labels).map(([key, value]) => ({ op: 'add', path: `/metadata/labels/${pointer(key)}`, value }));
}

/**
 * One patch that labels the pod for the quarantine, takes off the labels to detach (each only
 * while unchanged since read) and notes every label taken off so far on the pod itself.
 */
function quarantinePatch(
  metadata: V1ObjectMeta | undefined,
  incidentId: string,
  detach: readonly DetachedLabel[],
  detachedLabels: Record<string, string>,
): JsonPatchOperation[] {
  const operations: JsonPatchOperation[] = [];
  if (metadata?.labels?.[QUARANTINE_LABEL] !== incidentId) {
    operations.push(
      metadata?.labels
        ? { op: 'add', path: `/metadata/labels/${pointer(QUARANTINE_LABEL)}`, value: incidentId }
        : { op: 'add', path: '/metadata/labels', value: { [QUARANTINE_LABEL]: incidentId } },
    );
  }
  if (detach.length === 0) return operations;
  for (const { key, value } of detach) operations.push(...removeLabel(key, value));
  const noted = JSON.stringify(detachedLabels);
  operations.push(
    metadata?.annotations
      ? { op: 'add', path: `/metadata/annotations/${pointer(DETACHED_LABELS_ANNOTATION)}`, value: noted }
      : { op: 'add', path: '/metadata/annotations', value: { [DETACHED_LABELS_ANNOTATION]: noted } },
  );
  return operations;
}

function describeDetached({ key, value, policies, services }: DetachedLabel): string {
  const from = [...policies.map((name) => `NetworkPolicy ${name}`), ...services.map((name) => `Service ${name}`)];
  return `${key}=${value} (matched by ${from.join(', ')})`;
}

const STILL_ALLOWING_WORDS: Record<StillAllowingReason, string> = {
  'selects-every-pod': 'its empty podSelector selects every pod, whatever its labels',
  'selects-by-absent-labels': 'it selects pods by labels they lack (NotIn, DoesNotExist), which no removal undoes',
  'selects-by-quarantine-label': `it selects by ${QUARANTINE_LABEL}, which the quarantine needs`,
  'selected-once-labels-removed': 'it selects pods lacking a label taken off for another policy or Service',
  'detaching-lets-another-select': 'taking off its labels would let as many other policies select the pod',
};

/**
 * What the deny-all and the detaching achieved, in words: whether another policy still allows
 * the pod traffic and why, which Services still route to it, that a controller may release it,
 * and that connections opened before survive (CNIs keep them).
 */
function isolationOutcome(
  plan: LabelDetachment | undefined,
  surroundings: IsolationSurroundings,
  detachedLabels: Record<string, string>,
  controller: { kind: string; name: string } | undefined,
): string {
  const rbac = '(pivotguard may not list them: npx pivotguard rbac)';
  const parts: string[] = [];
  if (!plan) {
    parts.push(`whether other NetworkPolicies allow it traffic is unknown ${rbac}, so no label was taken off`);
  } else if (plan.stillAllowing.length === 0) {
    parts.push('no other NetworkPolicy allows it traffic, so it has no ingress or egress');
  } else {
    const named = plan.stillAllowing.map((policy) => `${policy.name} (${policy.directions.join(' and ')}: ${STILL_ALLOWING_WORDS[policy.reason]})`);
    parts.push(`isolation is partial: NetworkPolicies add up, and ${named.join(', ')} still allow${named.length === 1 ? 's' : ''} it traffic`);
  }
  if (plan && !surroundings.services) parts.push(`whether Services route new connections to it is unknown ${rbac}`);
  if (plan && plan.servicesStillSelecting.length > 0) {
    parts.push(`Services ${plan.servicesStillSelecting.join(', ')} still select it: taking off their labels would let a policy select it`);
  }
  const keys = Object.keys(detachedLabels);
  if (keys.length > 0 && controller) {
    parts.push(
      `its controller ${controller.kind} ${controller.name} releases it if its selector matches ${keys.join(', ')}, and starts a replacement; ` +
        'on undo it may adopt the pod back and delete one surplus replica',
    );
  }
  parts.push('connections open before may survive until the pod restarts (restart-pod)');
  return parts.join('; ');
}

function controllerOf(metadata: V1ObjectMeta | undefined): { kind: string; name: string } | undefined {
  const owner = metadata?.ownerReferences?.find((reference) => reference.controller === true);
  return owner ? { kind: owner.kind, name: owner.name } : undefined;
}

function describeOperation({ verb, resource, group, name, namespace }: Operation): string {
  const qualified = group ? `${resource} (API group ${group})` : resource;
  return `${verb} ${qualified}${name ? ` ${name}` : ''}${namespace ? ` in namespace ${namespace}` : ''}`;
}

function forbiddenDetail({ verb, resource, group, namespace }: Operation): string {
  const grant = `${verb} on ${group ? `${resource}.${group}` : resource}`;
  const scope = namespace ? `in namespace ${namespace}` : 'at cluster scope';
  return `forbidden: pivotguard's Kubernetes identity lacks ${grant} ${scope}; add it to the pivotguard ClusterRole (npx pivotguard rbac prints it)`;
}

/** The message of the Status object the API server sent, if the body is one. */
function statusMessage(body: unknown): string {
  if (typeof body !== 'string') return '';
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    return typeof parsed.message === 'string' ? parsed.message : '';
  } catch {
    return body.slice(0, 200);
  }
}
