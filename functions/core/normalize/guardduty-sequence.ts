import type { AttackSequence, SequenceAccessKey, SequenceWorkload } from '#core/model/event';
import { type Json, asArray, asObject, str } from '#core/model/json';
import { parseRoleArn } from '#core/model/arn';

/** EKS cluster names, and the ARN that ends with one. */
const CLUSTER_NAME = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;
const CLUSTER_ARN = /^arn:aws[\w-]*:eks:[\w-]+:\d{12}:cluster\/([0-9A-Za-z][A-Za-z0-9_-]{0,99})$/;
/** Kubernetes object names are DNS-1123 subdomains, namespaces DNS-1123 labels. */
const OBJECT_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;
const NAMESPACE = /^(?=.{1,63}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** IAM access key ids: AKIA (long-term) or ASIA (temporary) and the like, upper-case letters and digits. */
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
/** A bare instance id, or an instance ARN that ends with one. */
const INSTANCE = /^(?:arn:aws[\w-]*:ec2:[\w-]+:\d{12}:instance\/)?(i-[0-9a-f]{8,17})$/;
/** An assumed role's principal id: the role id, a colon, the session name. */
const ROLE_SESSION_PRINCIPAL = /^AROA[A-Z0-9]+:.+$/;

/**
 * Reads `service.detection.sequence` as the GuardDuty API reference describes it (Sequence,
 * ResourceV2, ResourceData, Actor, User, Session), loosely: a part of the wrong type or shape is
 * left out and the rest kept, so a malformed sequence never costs the finding. `findingCluster`
 * (the finding's own EKS cluster) stands in when the sequence names no cluster.
 */
export function attackSequenceOf(value: unknown, findingCluster?: string): AttackSequence | undefined {
  const sequence = asObject(value);
  if (!sequence) return undefined;
  const resources = asArray(sequence.resources);
  const ofType = (type: string) => resources.filter((resource) => resourceTypeOf(resource) === type);
  const clusters = unique(ofType('EKSCLUSTER').map(clusterNameOf));
  // A workload resource does not name its cluster: it is the sequence's cluster only when there is one.
  const cluster = clusters.length === 1 ? clusters[0] : clusters.length === 0 ? findingCluster : undefined;
  const actors = asArray(sequence.actors);
  return {
    uid: str(sequence.uid),
    clusters,
    workloads: ofType('KUBERNETESWORKLOAD')
      .map((resource) => workloadOf(resource, cluster))
      .filter((workload) => workload !== undefined),
    accessKeys: mergeKeys([...ofType('ACCESSKEY').map(resourceKeyOf), ...actors.map(actorKeyOf)]),
    instanceIds: unique(ofType('EC2INSTANCE').map((resource) => instanceIdOf(resource.uid) ?? instanceIdOf(resource.name))),
    roleArns: unique(actors.map((actor) => issuerRoleOf(asObject(actor.session)?.issuer))),
    actors: unique(actors.map((actor) => str(asObject(actor.user)?.name))),
    signalCount: asArray(sequence.signals).length,
  };
}

/**
 * The API reference lists ResourceV2 types as EKS_CLUSTER, KUBERNETES_WORKLOAD, ACCESS_KEY,
 * EC2_INSTANCE; the older Resource block spells its types EKSCluster, AccessKey. Both spellings
 * are read alike, since neither the reference nor the user guide shows a delivered sequence.
 */
function resourceTypeOf(resource: Json): string | undefined {
  return str(resource.resourceType)?.replaceAll('_', '').toUpperCase();
}

/** The reference does not say which of name and uid holds the cluster's name: its ARN says it for certain, else a name-shaped field. */
function clusterNameOf(resource: Json): string | undefined {
  const arn = [resource.uid, asObject(asObject(resource.data)?.eksCluster)?.arn].map(str).find((text) => text && CLUSTER_ARN.test(text));
  if (arn) return CLUSTER_ARN.exec(arn)![1];
  return [resource.name, resource.uid].map(str).find((text) => text && CLUSTER_NAME.test(text));
}

/**
 * KubernetesWorkload data carries the namespace and kind but no name: the name is the resource's.
 * The reference names the kind field `type` on the wire (the SDKs call it kubernetesResourcesTypes);
 * both are read. The resource's uid is the workload's Kubernetes uid, not its name.
 */
function workloadOf(resource: Json, cluster: string | undefined): SequenceWorkload | undefined {
  const name = str(resource.name);
  if (!name || !OBJECT_NAME.test(name)) return undefined;
  const data = asObject(asObject(resource.data)?.kubernetesWorkload);
  const namespace = str(data?.namespace);
  const kind = str(data?.type) ?? str(data?.kubernetesResourcesTypes);
  return {
    ...(cluster ? { cluster } : {}),
    ...(namespace && NAMESPACE.test(namespace) ? { namespace } : {}),
    name,
    ...(kind ? { kind: kind.toUpperCase() } : {}),
  };
}

/** AccessKey data has no key id (unlike the older AccessKeyDetails): the resource's uid, else its name, is the key. */
function resourceKeyOf(resource: Json): SequenceAccessKey | undefined {
  const accessKeyId = [resource.uid, resource.name].map(str).find((text) => text && ACCESS_KEY_ID.test(text));
  if (!accessKeyId) return undefined;
  const data = asObject(asObject(resource.data)?.accessKey);
  return withDefined({ accessKeyId, principalId: str(data?.principalId), userName: str(data?.userName), userType: str(data?.userType) });
}

/**
 * An actor's credentials. The reference says only "the credentials of the user ID" for
 * user.credentialUid and "the unique identifier of the user" for user.uid: a credentialUid is
 * taken as an access key only when shaped like one, a uid as a principal id only when shaped like
 * an assumed role's, and the session's issuer names the role.
 */
function actorKeyOf(actor: Json): SequenceAccessKey | undefined {
  const user = asObject(actor.user);
  const accessKeyId = str(user?.credentialUid);
  if (!accessKeyId || !ACCESS_KEY_ID.test(accessKeyId)) return undefined;
  const uid = str(user?.uid);
  const role = issuerRoleOf(asObject(actor.session)?.issuer);
  return withDefined({
    accessKeyId,
    principalId: uid && ROLE_SESSION_PRINCIPAL.test(uid) ? uid : undefined,
    userName: role ? parseRoleArn(role)!.roleName : undefined,
    userType: str(user?.type),
  });
}

/** One entry per key: what a resource says of it, completed by what an actor says. */
function mergeKeys(keys: (SequenceAccessKey | undefined)[]): SequenceAccessKey[] {
  const byId = new Map<string, SequenceAccessKey>();
  for (const key of keys) {
    if (!key) continue;
    const known = byId.get(key.accessKeyId);
    byId.set(key.accessKeyId, known ? { ...key, ...known } : key);
  }
  return [...byId.values()];
}

function instanceIdOf(value: unknown): string | undefined {
  const text = str(value);
  return text ? INSTANCE.exec(text)?.[1] : undefined;
}

/** In CloudTrail terms the issuer is sessionContext.sessionIssuer.arn: a role ARN for an assumed role. */
function issuerRoleOf(value: unknown): string | undefined {
  const arn = str(value);
  return arn && parseRoleArn(arn) ? arn : undefined;
}

function unique(values: (string | undefined)[]): string[] {
  return [...new Set(values.filter((value) => value !== undefined))];
}

function withDefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== undefined)) as T;
}
