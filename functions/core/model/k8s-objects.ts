/** Readers for the Kubernetes objects audit records carry. */
import { type Json, asArray, asObject, str } from './json.ts';

export interface PodSpecSummary {
  serviceAccount?: string;
  nodeName?: string;
  hostNetwork: boolean;
  hostPID: boolean;
  hostIPC: boolean;
  privileged: boolean;
  hostPaths: string[];
  dangerousCapabilities: string[];
  containers: { name: string; image: string }[];
  /** AWS_ROLE_ARN injected by the EKS pod identity webhook for IRSA. */
  irsaRoleArn?: string;
}

const DANGEROUS_CAPABILITIES = new Set(['SYS_ADMIN', 'SYS_PTRACE', 'SYS_MODULE', 'NET_ADMIN', 'NET_RAW', 'BPF', 'ALL']);

export function summarizePodSpec(spec: Json): PodSpecSummary {
  const containers = [...asArray(spec.containers), ...asArray(spec.initContainers), ...asArray(spec.ephemeralContainers)];
  let privileged = false;
  let irsaRoleArn: string | undefined;
  const dangerousCapabilities: string[] = [];
  for (const container of containers) {
    const securityContext = asObject(container.securityContext);
    if (securityContext?.privileged === true) privileged = true;
    const added = asObject(securityContext?.capabilities)?.add;
    if (Array.isArray(added)) {
      for (const capability of added) {
        const name = String(capability).toUpperCase().replace(/^CAP_/, '');
        if (DANGEROUS_CAPABILITIES.has(name)) dangerousCapabilities.push(name);
      }
    }
    for (const env of asArray(container.env)) {
      if (env.name === 'AWS_ROLE_ARN' && str(env.value)) irsaRoleArn = str(env.value);
    }
  }
  const hostPaths = asArray(spec.volumes)
    .map((volume) => str(asObject(volume.hostPath)?.path))
    .filter((path): path is string => path !== undefined);
  return {
    serviceAccount: str(spec.serviceAccountName) ?? str(spec.serviceAccount),
    nodeName: str(spec.nodeName),
    hostNetwork: spec.hostNetwork === true,
    hostPID: spec.hostPID === true,
    hostIPC: spec.hostIPC === true,
    privileged,
    hostPaths,
    dangerousCapabilities,
    containers: asArray(spec.containers).map((container) => ({
      name: str(container.name) ?? '',
      image: str(container.image) ?? '',
    })),
    irsaRoleArn,
  };
}

/** The pod object an audit record carries: the stored object if logged, else the request. */
export function podObjectOf(requestObject: unknown, responseObject: unknown): Json | undefined {
  const response = asObject(responseObject);
  if (response?.kind === 'Pod') return response;
  const request = asObject(requestObject);
  if (request && (request.kind === 'Pod' || asObject(request.spec) || asObject(request.status))) return request;
  return undefined;
}

/** imageID from container statuses is `repo@sha256:…` (sometimes prefixed with docker-pullable://). */
export function digestOf(imageId: string): string | undefined {
  const at = imageId.lastIndexOf('@sha256:');
  return at >= 0 ? imageId.slice(at + 1) : imageId.startsWith('sha256:') ? imageId : undefined;
}
