import type { PodSpecSummary } from '#core/model/k8s-objects';

/** Host paths whose mount hands over the node: its root, credentials, the kubelet, or a container runtime's socket. */
const HOST_TAKEOVER_PATHS = [
  '/',
  '/etc',
  '/root',
  '/proc',
  '/var/lib/kubelet',
  '/var/run/docker.sock',
  '/run/containerd',
  '/run/containerd/containerd.sock',
  '/var/run/containerd/containerd.sock',
  '/var/run/crio/crio.sock',
];

/** What in a pod spec reaches past the container, in words ("privileged", "hostPath /"). */
export function hostAccessTraits(summary: PodSpecSummary): string[] {
  return [
    summary.privileged && 'privileged',
    summary.hostPID && 'hostPID',
    summary.hostIPC && 'hostIPC',
    summary.hostNetwork && 'hostNetwork',
    ...summary.hostPaths.map((path) => `hostPath ${path}`),
    ...summary.dangerousCapabilities.map((capability) => `capability ${capability}`),
  ].filter((trait): trait is string => Boolean(trait));
}

/** Whether the spec can take its node over: privileged with a host namespace, or a mount of the host's root, credentials or runtime socket. */
export function canTakeOverHost(summary: PodSpecSummary): boolean {
  return (summary.privileged && (summary.hostPID || summary.hostNetwork)) || summary.hostPaths.some(isTakeoverPath);
}

function isTakeoverPath(path: string): boolean {
  return HOST_TAKEOVER_PATHS.includes(path.replace(/\/+$/, '') || '/');
}
