import {
  AdmissionregistrationV1Api,
  ApiException,
  type KubeConfig,
  type V1ValidatingAdmissionPolicy,
  type V1ValidatingAdmissionPolicyBinding,
} from '@kubernetes/client-node';
import type { ActionRecord, UndoStep } from '#core/respond/action';
import { type ImageBlockMatch, type ImageBlockObject, holdsAll, imageBlockName, imageBlockObjects, isOwnImageBlock } from '#core/respond/image-block';

/** What one block-image-digest step acts on: the cluster, the incident, and what the approved plan says to match. */
export interface ImageBlockTarget {
  incidentId: string;
  cluster: string;
  /** The step's target as planned and recorded: cluster/digest. */
  recordTarget: string;
  match: ImageBlockMatch;
  /** What the policy's denial says: the incident, and what to fix. */
  message: string;
  dryRun: boolean;
}

type AdmissionBlockUndo = Extract<UndoStep, { kind: 'delete-admission-block' }>;

export interface AdmissionUnblock {
  result: 'undone' | 'already-undone' | 'skipped' | 'failed';
  detail: string;
}

const GROUP = 'admissionregistration.k8s.io';
type Kind = 'policy' | 'binding';
const RESOURCE: Record<Kind, string> = { policy: 'validatingadmissionpolicies', binding: 'validatingadmissionpolicybindings' };
const KIND: Record<Kind, string> = { policy: 'ValidatingAdmissionPolicy', binding: 'ValidatingAdmissionPolicyBinding' };

type Stored = V1ValidatingAdmissionPolicy | V1ValidatingAdmissionPolicyBinding;

/** 403 on one request: the record names the missing grant. */
class Forbidden extends Error {
  constructor(
    readonly verb: string,
    readonly kind: Kind,
  ) {
    super(
      `forbidden: pivotguard's Kubernetes identity lacks ${verb} on ${RESOURCE[kind]}.${GROUP} at cluster scope; add it to the pivotguard ClusterRole (npx pivotguard rbac prints it)`,
    );
  }
}

/**
 * The admission-policy side of containment on one cluster: creates the block (policy first, then
 * the binding that enforces it) and deletes exactly that block (binding first), each only while
 * it carries pivotguard's labels for the incident. Reads before it writes, so a retry finds its
 * own earlier work.
 */
export class AdmissionBlock {
  private readonly api: AdmissionregistrationV1Api;
  private readonly clock: () => Date;

  constructor(kubeConfig: KubeConfig, options: { clock?: () => Date } = {}) {
    this.api = kubeConfig.makeApiClient(AdmissionregistrationV1Api);
    this.clock = options.clock ?? (() => new Date());
  }

  async block(target: ImageBlockTarget): Promise<ActionRecord> {
    const startedAt = this.clock().toISOString();
    const record = (result: ActionRecord['result'], detail: string, undo?: UndoStep): ActionRecord => ({
      action: 'block-image-digest',
      incidentId: target.incidentId,
      target: target.recordTarget,
      startedAt,
      finishedAt: this.clock().toISOString(),
      result,
      detail,
      ...(undo ? { undo } : {}),
    });
    const { policy, binding } = imageBlockObjects({ incidentId: target.incidentId, match: target.match, message: target.message });
    const name = policy.metadata.name;
    const undo: AdmissionBlockUndo = { kind: 'delete-admission-block', cluster: target.cluster, incidentId: target.incidentId, policy: name, binding: name };
    const what = `${describeMatch(target.match)} in every namespace`;
    let created = false;
    try {
      const wanted = { policy, binding };
      const todo: string[] = [];
      for (const kind of ['policy', 'binding'] as const) {
        const existing = await this.read(kind, name);
        if (existing && !isOwnImageBlock(existing.metadata?.labels, target.incidentId)) {
          return record('failed', `a ${KIND[kind]} named ${name} exists that pivotguard did not create for ${target.incidentId}; left as is, nothing blocked`);
        }
        if (!existing) todo.push(`create ${KIND[kind]} ${name}`);
        else if (!holdsAll(wanted[kind].spec, existing.spec)) todo.push(`put back ${KIND[kind]} ${name}, which had been changed`);
      }
      if (todo.length === 0) return record('already-applied', `pods using ${what} are already denied by ${KIND.policy} ${name}; ${NOT_BLOCKED}`, undo);
      if (target.dryRun) return record('dry-run', `would ${todo.join(' and ')}, denying new pods using ${what}; ${NOT_BLOCKED}`, undo);
      // The policy first: alone it enforces nothing, and the binding that makes it deny names it.
      for (const kind of ['policy', 'binding'] as const) {
        created = (await this.put(kind, wanted[kind])) || created;
      }
      return record('applied', `${todo.join(' and ')}: new pods using ${what} are denied; running pods keep running; ${NOT_BLOCKED}`, undo);
    } catch (error) {
      if (error instanceof Forbidden) return record('failed', error.message, created ? undo : undefined);
      if (error instanceof ApiException && error.code === 404) {
        return record('failed', `the cluster does not serve ${GROUP}/v1 ${KIND.policy} (Kubernetes 1.30 or later does)`, created ? undo : undefined);
      }
      throw error;
    }
  }

  /** Deletes the binding, then the policy, each only if it still carries pivotguard's labels for the incident. */
  async unblock(step: AdmissionBlockUndo): Promise<AdmissionUnblock> {
    const name = imageBlockName(step.incidentId);
    // Undo input travels through workflow state: a step naming any other object is refused, not run.
    if (step.policy !== name || step.binding !== name) return { result: 'failed', detail: `refusing undo step: ${step.policy}/${step.binding} is not ${name}` };
    try {
      const found = { binding: await this.read('binding', name), policy: await this.read('policy', name) };
      const foreign = (['binding', 'policy'] as const).filter((kind) => found[kind] && !isOwnImageBlock(found[kind].metadata?.labels, step.incidentId));
      if (foreign.length > 0) {
        return {
          result: 'skipped',
          detail: `refused: ${foreign.map((kind) => `${KIND[kind]} ${name}`).join(' and ')} no longer carries pivotguard's labels for ${step.incidentId}, so someone else owns it now; nothing deleted`,
        };
      }
      const deleted: string[] = [];
      for (const kind of ['binding', 'policy'] as const) {
        const current = found[kind];
        if (current && (await this.remove(kind, name, current.metadata?.uid))) deleted.push(`${KIND[kind]} ${name}`);
      }
      if (deleted.length === 0) return { result: 'already-undone', detail: `no ${KIND.policy} or binding ${name} is left: the image is not blocked` };
      return { result: 'undone', detail: `deleted ${deleted.join(' and ')}: pods may use the image again` };
    } catch (error) {
      if (error instanceof Forbidden) return { result: 'failed', detail: error.message };
      throw error;
    }
  }

  private async read(kind: Kind, name: string): Promise<Stored | undefined> {
    try {
      return await this.request<Stored>('get', kind, () =>
        kind === 'policy' ? this.api.readValidatingAdmissionPolicy({ name }) : this.api.readValidatingAdmissionPolicyBinding({ name }),
      );
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return undefined;
      throw error;
    }
  }

  /** Creates the object, or replaces a changed one by delete and create (the grants hold no update). True when it wrote. */
  private async put(kind: Kind, object: ImageBlockObject): Promise<boolean> {
    const existing = await this.read(kind, object.metadata.name);
    if (existing && holdsAll(object.spec, existing.spec)) return false;
    if (existing) await this.remove(kind, object.metadata.name, existing.metadata?.uid);
    await this.request<Stored>('create', kind, () =>
      kind === 'policy'
        ? this.api.createValidatingAdmissionPolicy({ body: object as V1ValidatingAdmissionPolicy })
        : this.api.createValidatingAdmissionPolicyBinding({ body: object as V1ValidatingAdmissionPolicyBinding }),
    );
    return true;
  }

  /** Deletes exactly the object read (uid precondition); false when it was already gone. */
  private async remove(kind: Kind, name: string, uid: string | undefined): Promise<boolean> {
    const body = uid ? { preconditions: { uid } } : undefined;
    try {
      await this.request('delete', kind, () =>
        kind === 'policy' ? this.api.deleteValidatingAdmissionPolicy({ name, body }) : this.api.deleteValidatingAdmissionPolicyBinding({ name, body }),
      );
      return true;
    } catch (error) {
      if (error instanceof ApiException && error.code === 404) return false;
      throw error;
    }
  }

  private async request<T>(verb: string, kind: Kind, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (error) {
      if (error instanceof ApiException && error.code === 403) throw new Forbidden(verb, kind);
      throw error;
    }
  }
}

/** What admission cannot see, said in every record: tags resolve to digests only at pull time. */
const NOT_BLOCKED = 'another tag or a multi-arch index that resolves to the same image at pull time is not blocked';

function describeMatch({ digest, tagReference }: ImageBlockMatch): string {
  return tagReference ? `the image by digest ${digest} (any repository) or as ${tagReference}` : `the image by digest ${digest} (any repository)`;
}
