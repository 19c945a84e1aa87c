import { posix } from 'node:path';
import { defineRule } from '../../rule.ts';
import { decodePercentEscapes, sanitize } from '../../actors.ts';
import { auditSubject, describeActor, wasAllowed } from './subject.ts';

/** Kubelet endpoints that run something in a container or dump one: command execution on the node. */
const COMMAND_ENDPOINTS = new Set(['run', 'exec', 'attach', 'portforward', 'checkpoint', 'cri']);
/** What monitoring scrapes through the API server's node proxy (Prometheus' kubernetes-nodes jobs). */
const MONITORING_ENDPOINTS = new Set(['metrics', 'stats', 'healthz', 'spec']);

export const nodeProxy = defineRule<'eks-audit'>({
  id: 'eks-audit.node-proxy',
  title: 'Kubelet API reached through the node proxy',
  description:
    "nodes/proxy reaches the kubelet's own API, whose run and exec endpoints run commands in any pod on the node and leave no pods/exec record; " +
    'only the API server path is audited: whoever holds nodes/proxy get can call the kubelet on port 10250 directly, unaudited.',
  source: 'eks-audit',
  objective: { tactic: 'Execution (TA0002)', technique: 'T1609 Container Administration Command' },
  severity: 'medium',
  canMatch: (resource) => resource === 'nodes',
  match(event) {
    const ref = event.objectRef;
    if (ref?.resource !== 'nodes' || ref.subresource !== 'proxy' || !ref.name || !wasAllowed(event) || event.stage === 'RequestReceived') return undefined;
    const node = nodeNameOf(ref.name);
    const path = kubeletPath(event.requestUri, ref.name);
    const endpoint = path.split('/')[1] ?? '';
    if (MONITORING_ENDPOINTS.has(endpoint)) return undefined;
    const command = COMMAND_ENDPOINTS.has(endpoint);
    // run/exec/attach/portforward name the pod: /run/{namespace}/{pod}/{container}.
    const [, , namespace, pod] = path.split('/');
    const target = command && namespace && pod ? ` in pod ${sanitize(namespace)}/${sanitize(pod)}` : '';
    const cmd = /[?&]cmd=([^&]+)/.exec(event.requestUri ?? '') ?? /[?&]command=([^&]+)/.exec(event.requestUri ?? '');
    const running = cmd ? ` running ${sanitize(decodePercentEscapes(cmd[1]!.replace(/\+/g, ' ')), 60)}` : '';
    return {
      summary: `${describeActor(event)} called the kubelet of node ${sanitize(node)}: ${sanitize(event.verb)} ${sanitize(path, 100)}${target}${running}`,
      subject: { ...auditSubject(event), node },
      severity: command ? 'high' : 'medium',
    };
  },
});

/** The proxy names a node as NAME, NAME:PORT or SCHEME:NAME:PORT. */
function nodeNameOf(name: string): string {
  return name.replace(/^https?:/, '').replace(/:\d+$/, '');
}

/** The kubelet path the request was proxied to: what follows /nodes/NAME/proxy in the URI, without the query. */
function kubeletPath(requestUri: string | undefined, name: string): string {
  const path = decodePercentEscapes((requestUri ?? '').split('?')[0]!);
  const marker = `/nodes/${name}/proxy`;
  const at = path.indexOf(marker);
  // The kubelet resolves dot segments: /metrics/../run is /run.
  return posix.normalize(`/${at < 0 ? '' : path.slice(at + marker.length)}`);
}
