import type { IncidentImage } from '#core/model/vulnerability';
import type { UndoStep } from '#core/respond/undo-step';

/**
 * What an action reads of an incident to propose its steps: the incident's workload and linked
 * identities as the plan has them. Declared here, not imported from the incident model, which
 * takes its action names from the registry these descriptors make up.
 */
export interface IncidentFacts {
  workload: {
    cluster: string | null;
    namespace: string | null;
    pod: string | null;
    owner: string | null;
    node: string | null;
    serviceAccount: string | null;
    image?: string | null;
    imageDigest?: string | null;
  };
  identities: { roleArn: string; via: string; sessions: string[]; tiedSessions?: string[]; chainedFrom?: string; podTags?: boolean }[];
  /** The host itself may be compromised: escape signals, host-level pods, node credentials misused. */
  hostAtRisk: boolean;
  podStillRunning: boolean;
  /** Where the cluster's requests to AWS come from, configured or read from EC2: its egress addresses and its VPC(s). */
  egress: { cidrs: string[]; vpcIds: string[] };
  /** The image behind the incident and its vulnerabilities, where known. */
  image?: IncidentImage;
}

/** One step an action proposes; the plan adds the action's name, and whether it runs dry. */
export interface Proposal {
  /** A pod as cluster/namespace/pod, a role by ARN, a node by name. */
  target: string;
  reason: string;
  /** What on the target the step acts on: the session names a revoke-role-sessions denies. */
  scope?: string[];
  /**
   * The step reaches beyond the workload, so it always waits for a person: it stops a whole node
   * (its instance role's sessions run the kubelet, the CNI, image pulls), or it fences a role that
   * principals outside the cluster may use too (a chained role).
   */
  waitsForPerson?: true;
}

/**
 * Who decides whether a step runs without a person. A configured action in a protected namespace
 * always waits for a person: the cluster's own workloads are not disrupted unasked.
 */
export type TierRule =
  /** Runs whatever the configuration says: it changes nothing people rely on. */
  | { always: 'automatic' }
  /** Waits for a person whatever the configuration says: it reaches beyond one pod or its own sessions. */
  | { always: 'approval' }
  /** `actions.automatic` and `actions.approval` decide; `byDefault` is where the default configuration puts it. */
  | { byDefault: 'automatic' | 'approval' };

/** The resources an IAM grant is scoped to, as the stack knows them. */
export type IamScope =
  /** The objects of the evidence bucket. */
  | 'evidence-objects'
  /** The KMS key the evidence objects are encrypted with. */
  | 'evidence-key'
  /** The EKS clusters pivotguard is deployed for. */
  | 'clusters'
  /** The roles containment may change (`containableRoleArns`). */
  | 'containable-roles';

export interface IamNeed {
  on: IamScope;
  actions: string[];
}

export interface RbacRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
}

/** What an action must be granted, its undo included: the stack's policy and `pivotguard rbac` are built from it. */
export interface ActionNeeds {
  iam: IamNeed[];
  rbac: RbacRule[];
}

/** The undo steps that put something back; `none` records why a step has nothing to reverse. */
export type ReversingUndoKind = Exclude<UndoStep['kind'], 'none'>;

/**
 * One containment action, described once: how people read it, when it runs without a person,
 * what it must be granted, when it is proposed, and how it is put back. The plan, the
 * configuration, the labels, the allow-lists, the stack's grants and the RBAC manifest read it.
 */
export interface ActionDescriptor<Name extends string = string, Undo extends ReversingUndoKind = ReversingUndoKind> {
  readonly name: Name;
  /** How the email, the approval page and the terminal name it. */
  readonly label: string;
  /** How a sentence of the report says it: done, to do, and as a noun. */
  readonly words: { done: string; todo: string; noun: string };
  readonly tier: TierRule;
  readonly needs: ActionNeeds;
  /** What must hold for the step to be proposed and to act, in words: `propose` checks the incident, the adapter what says "checked when it runs". */
  readonly preconditions: readonly string[];
  /** The undo steps its records carry; a step may also record `none` with the reason it has nothing to put back. */
  readonly undoKinds: readonly Undo[];
  /** Whether what it changes can be put back: it has an undo kind. */
  readonly reversible: boolean;
  /** The steps of this action the incident calls for; none when its preconditions do not hold. */
  propose(incident: IncidentFacts): Proposal[];
}

/** A descriptor with its literal name and undo kinds kept, so the registry can derive the action type from them. */
export function describeAction<const Name extends string, const Undo extends ReversingUndoKind = never>(
  descriptor: Omit<ActionDescriptor<Name, Undo>, 'reversible'>,
): ActionDescriptor<Name, Undo> {
  return { ...descriptor, reversible: descriptor.undoKinds.length > 0 };
}

/** The incident's pod as a step's target (cluster/namespace/pod), when it names one. */
export function podTargetOf(workload: IncidentFacts['workload']): string | undefined {
  return workload.pod ? `${workload.cluster}/${workload.namespace}/${workload.pod}` : undefined;
}

/** Reaching a cluster's API server: every action that acts on a cluster needs it on the configured clusters. */
export const REACH_CLUSTERS: IamNeed = { on: 'clusters', actions: ['eks:DescribeCluster'] };
