import type { AuditEvent } from '#core/model/event';
import { type Fact, nodeKey } from '#core/model/graph';
import { parseRoleArn, parseServiceAccountUser } from '#core/model/arn';
import { type Json, asArray, asObject, str } from '#core/model/json';
import { digestOf, podObjectOf, summarizePodSpec } from '#core/model/k8s-objects';
import { ADMISSION_ATTRS, admissionOf } from './admission.ts';

const WRITE_VERBS = new Set(['create', 'update', 'patch']);
const WORKLOAD_KINDS: Record<string, string> = {
  deployments: 'Deployment',
  daemonsets: 'DaemonSet',
  statefulsets: 'StatefulSet',
  cronjobs: 'CronJob',
  jobs: 'Job',
};

/** What one audit record teaches the identity graph. */
export function auditFacts(event: AuditEvent): Fact[] {
  const ref = event.objectRef;
  if (event.responseCode !== undefined && event.responseCode >= 400) return [];
  const facts: Fact[] = [];
  if (event.credentialId && !event.actorPod) unboundTokenUseFacts(event, facts);
  if (!ref?.resource) return facts;
  const base = { time: event.time, eventId: event.eventId };
  const namespace = ref.namespace ?? '';
  if (ref.resource === 'pods') {
    if (ref.subresource === 'binding') podBindingFacts(event, facts);
    else if (!ref.subresource || ref.subresource === 'status') {
      if (event.verb === 'delete' && ref.name) {
        facts.push({ ...base, key: nodeKey.pod(event.cluster, namespace, ref.name), attrs: { deleted: true } });
      } else if (WRITE_VERBS.has(event.verb)) podFacts(event, facts);
    }
  } else if (!WRITE_VERBS.has(event.verb)) {
    return facts;
  } else if (ref.resource === 'nodes') {
    nodeFacts(event, facts);
  } else if (ref.resource === 'serviceaccounts' && !ref.subresource) {
    serviceAccountFacts(event, facts);
  } else if (ref.resource === 'serviceaccounts' && ref.subresource === 'token' && event.verb === 'create') {
    tokenRequestFacts(event, facts);
  } else if (WORKLOAD_KINDS[ref.resource] && !ref.subresource) {
    workloadFacts(event, WORKLOAD_KINDS[ref.resource]!, facts);
  } else if (ref.resource === 'rolebindings' || ref.resource === 'clusterrolebindings') {
    bindingFacts(event, facts);
  }
  return facts;
}

function podFacts(event: AuditEvent, facts: Fact[]): void {
  const pod = podObjectOf(event.requestObject, event.responseObject);
  const metadata = asObject(pod?.metadata);
  const ref = event.objectRef!;
  const name = ref.name ?? str(metadata?.name);
  const namespace = ref.namespace ?? str(metadata?.namespace);
  if (!pod || !name || !namespace) return;
  const cluster = event.cluster;
  const key = nodeKey.pod(cluster, namespace, name);
  const attrs: Fact['attrs'] = {};
  const edges: string[] = [];
  const changes: string[] = [];
  const uid = str(metadata?.uid);
  if (uid) attrs.uid = uid;
  const spec = asObject(pod.spec);
  if (spec && (asArray(spec.containers).length > 0 || spec.serviceAccountName || spec.nodeName)) {
    const summary = summarizePodSpec(spec);
    if (summary.serviceAccount) {
      attrs.serviceAccount = summary.serviceAccount;
      edges.push(nodeKey.serviceAccount(cluster, namespace, summary.serviceAccount));
    }
    if (summary.nodeName) {
      attrs.node = summary.nodeName;
      edges.push(nodeKey.node(cluster, summary.nodeName));
    }
    if (summary.containers.length > 0) {
      attrs.image = summary.containers[0]!.image;
      attrs.container = summary.containers[0]!.name;
      attrs.hostNetwork = summary.hostNetwork;
      attrs.hostPID = summary.hostPID;
      attrs.hostIPC = summary.hostIPC;
      attrs.privileged = summary.privileged;
      attrs.hostPath = summary.hostPaths.join(',');
      attrs.capabilities = summary.dangerousCapabilities.join(',');
    }
    const role = summary.irsaRoleArn ? parseRoleArn(summary.irsaRoleArn) : undefined;
    if (role && summary.serviceAccount) {
      attrs.irsaRoleArn = summary.irsaRoleArn!;
      edges.push(nodeKey.webIdentity(role.accountId, role.roleName, namespace, summary.serviceAccount));
    }
    if (event.verb === 'create') {
      attrs.createdAt = event.time;
      changes.push(`pod ${namespace}/${name} created`);
      // What admission policy said about the pod: whether its rollout passed, warned or went unchecked.
      const admission = admissionOf(event);
      attrs[ADMISSION_ATTRS.outcome] = admission.outcome;
      attrs[ADMISSION_ATTRS.details] = JSON.stringify(admission.details);
    }
  }
  const owner = asArray(metadata?.ownerReferences).find((reference) => reference.controller === true) ?? asArray(metadata?.ownerReferences)[0];
  if (owner && str(owner.kind) && str(owner.name)) {
    const workload = ownerWorkload(str(owner.kind)!, str(owner.name)!, asObject(metadata?.labels));
    attrs.ownerKind = workload.kind;
    attrs.ownerName = workload.name;
    edges.push(nodeKey.workload(cluster, namespace, workload.kind, workload.name));
  }
  const status = asObject(pod.status);
  const podIp = str(status?.podIP);
  if (podIp) {
    attrs.podIp = podIp;
    edges.push(nodeKey.podIp(cluster, podIp));
  }
  const imageStatus = asArray(status?.containerStatuses)[0];
  const digest = imageStatus && str(imageStatus.imageID) ? digestOf(str(imageStatus.imageID)!) : undefined;
  if (digest) {
    attrs.imageDigest = digest;
    edges.push(nodeKey.image(digest));
  }
  facts.push({ key, time: event.time, eventId: event.eventId, attrs, edges, changes });
  mirror(facts, key, edges, event);
}

/** A ReplicaSet named NAME-HASH with the pod-template-hash label belongs to Deployment NAME. */
function ownerWorkload(kind: string, name: string, labels: Json | undefined): { kind: string; name: string } {
  const hash = str(labels?.['pod-template-hash']);
  if (kind === 'ReplicaSet' && hash && name.endsWith(`-${hash}`)) {
    return { kind: 'Deployment', name: name.slice(0, -hash.length - 1) };
  }
  return { kind, name };
}

function podBindingFacts(event: AuditEvent, facts: Fact[]): void {
  const target = asObject(asObject(event.requestObject)?.target);
  const nodeName = str(target?.name);
  const ref = event.objectRef!;
  if (!nodeName || !ref.name || !ref.namespace) return;
  const key = nodeKey.pod(event.cluster, ref.namespace, ref.name);
  const node = nodeKey.node(event.cluster, nodeName);
  facts.push({ key, time: event.time, eventId: event.eventId, attrs: { node: nodeName }, edges: [node] });
  mirror(facts, key, [node], event);
}

function nodeFacts(event: AuditEvent, facts: Fact[]): void {
  const node = asObject(event.responseObject) ?? asObject(event.requestObject);
  const providerId = str(asObject(node?.spec)?.providerID);
  const name = event.objectRef!.name ?? str(asObject(node?.metadata)?.name);
  const instanceId = providerId ? /\/(i-[0-9a-f]+)$/.exec(providerId)?.[1] : undefined;
  if (!name || !instanceId) return;
  const key = nodeKey.node(event.cluster, name);
  const instance = nodeKey.instance(instanceId);
  facts.push({ key, time: event.time, eventId: event.eventId, attrs: { instanceId }, edges: [instance] });
  facts.push({ key: instance, time: event.time, eventId: event.eventId, edges: [key] });
}

function serviceAccountFacts(event: AuditEvent, facts: Fact[]): void {
  const account = asObject(event.responseObject) ?? asObject(event.requestObject);
  const metadata = asObject(account?.metadata);
  const name = event.objectRef!.name ?? str(metadata?.name);
  const namespace = event.objectRef!.namespace ?? str(metadata?.namespace);
  const roleArn = str(asObject(metadata?.annotations)?.['eks.amazonaws.com/role-arn']);
  const role = roleArn ? parseRoleArn(roleArn) : undefined;
  if (!name || !namespace || !roleArn || !role) return;
  const key = nodeKey.serviceAccount(event.cluster, namespace, name);
  const binding = nodeKey.webIdentity(role.accountId, role.roleName, namespace, name);
  facts.push({
    key,
    time: event.time,
    eventId: event.eventId,
    attrs: { roleArn },
    edges: [binding],
    changes: [`service account ${namespace}/${name} annotated with role ${roleArn} by ${event.username}`],
  });
  facts.push({ key: binding, time: event.time, eventId: event.eventId, attrs: { roleArn }, edges: [key] });
}

function workloadFacts(event: AuditEvent, kind: string, facts: Fact[]): void {
  const object = asObject(event.responseObject);
  const ref = event.objectRef!;
  const name = ref.name ?? str(asObject(object?.metadata)?.name);
  if (!name || !ref.namespace) return;
  const template =
    asObject(asObject(asObject(object?.spec)?.template)?.spec) ??
    asObject(asObject(asObject(asObject(asObject(object?.spec)?.jobTemplate)?.spec)?.template)?.spec);
  const images = asArray(template?.containers)
    .map((container) => str(container.image))
    .filter((image): image is string => image !== undefined);
  const action = event.verb === 'create' ? 'created' : 'changed';
  const what = images.length > 0 ? ` with image ${images.join(', ')}` : '';
  facts.push({
    key: nodeKey.workload(event.cluster, ref.namespace, kind, name),
    time: event.time,
    eventId: event.eventId,
    changes: [`${kind} ${ref.namespace}/${name} ${action}${what} by ${event.username}`],
  });
}

function bindingFacts(event: AuditEvent, facts: Fact[]): void {
  const binding = asObject(event.responseObject) ?? asObject(event.requestObject);
  const role = asObject(binding?.roleRef);
  const roleName = str(role?.name);
  if (!roleName) return;
  for (const subject of asArray(binding?.subjects)) {
    const name = str(subject.name);
    const namespace = str(subject.namespace) ?? event.objectRef!.namespace;
    if (subject.kind !== 'ServiceAccount' || !name || !namespace) continue;
    facts.push({
      key: nodeKey.serviceAccount(event.cluster, namespace, name),
      time: event.time,
      eventId: event.eventId,
      changes: [`service account ${namespace}/${name} bound to ${str(role?.kind) ?? 'role'} ${roleName} by ${event.username}`],
    });
  }
}

/**
 * A token requested by anyone but a kubelet for its pods: the token's id (the TokenRequest's audit
 * annotation, and user.extra of every request the token makes) joined to the account it speaks for
 * and to the pod that asked for it, so its later use leads back to that pod.
 */
function tokenRequestFacts(event: AuditEvent, facts: Fact[]): void {
  const ref = event.objectRef!;
  const credentialId = event.issuedCredentialId;
  if (!credentialId || !ref.namespace || !ref.name || event.username.startsWith('system:node:')) return;
  const sender = event.impersonatedBy ?? { username: event.username, pod: event.actorPod };
  const senderAccount = parseServiceAccountUser(sender.username);
  const key = nodeKey.credential(event.cluster, credentialId);
  const account = nodeKey.serviceAccount(event.cluster, ref.namespace, ref.name);
  const pod = senderAccount && sender.pod ? nodeKey.pod(event.cluster, senderAccount.namespace, sender.pod) : undefined;
  const from = pod ? ` from pod ${senderAccount!.namespace}/${sender.pod}` : '';
  const attrs: Fact['attrs'] = { serviceAccount: `${ref.namespace}/${ref.name}`, requestedBy: sender.username, issuedAt: event.time };
  if (pod) attrs.requesterPod = `${senderAccount!.namespace}/${sender.pod}`;
  const base = { time: event.time, eventId: event.eventId };
  facts.push({ ...base, key, attrs, edges: pod ? [account, pod] : [account] });
  facts.push({
    ...base,
    key: account,
    edges: [key],
    changes: [`token ${credentialId} for service account ${ref.namespace}/${ref.name} requested by ${sender.username}${from}`],
  });
  if (pod) facts.push({ ...base, key: pod, edges: [key], changes: [`requested token ${credentialId} for service account ${ref.namespace}/${ref.name}`] });
}

/**
 * A service-account token bound to no pod (a TokenRequest's, not a kubelet's) in use: the addresses it
 * is used from, on its credential. Pod-bound tokens, nearly every request, are left out.
 */
function unboundTokenUseFacts(event: AuditEvent, facts: Fact[]): void {
  const from = event.sourceIps[0];
  if (!from || !event.username.startsWith('system:serviceaccount:')) return;
  facts.push({ key: nodeKey.credential(event.cluster, event.credentialId!), time: event.time, eventId: event.eventId, edges: [nodeKey.ip(from)] });
}

/** Edges are stored on both ends so a lookup from either side finds the other. */
function mirror(facts: Fact[], key: string, targets: string[], event: AuditEvent): void {
  for (const target of targets) facts.push({ key: target, time: event.time, eventId: event.eventId, edges: [key] });
}
