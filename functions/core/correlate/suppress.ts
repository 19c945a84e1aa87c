import type { Suppression } from '#core/config';
import type { GraphView } from '#core/model/graph';
import type { Signal } from '#core/model/signal';
import type { Resolution } from './resolve.ts';

/** What a suppression can be scoped by, from the signal and the pod it resolved to. */
interface SuppressionScope {
  namespace?: string;
  serviceAccount?: string;
  image?: string;
  roleArn?: string;
}

export function scopeOf(signal: Signal, resolution: Resolution, graph: GraphView): SuppressionScope {
  const pod = resolution.pods[0] ? graph.get(resolution.pods[0].key) : undefined;
  const podNamespace = resolution.pods[0]?.key.split('|')[2];
  const podAccount = pod?.attrs.serviceAccount?.value;
  const accountNamespace = signal.subject.serviceAccount?.split('/')[0];
  return {
    // The workload's namespace, not the one it acted on: a suppression is about who does it.
    namespace: podNamespace ?? accountNamespace ?? signal.subject.namespace,
    serviceAccount: signal.subject.serviceAccount ?? (podNamespace && typeof podAccount === 'string' ? `${podNamespace}/${podAccount}` : undefined),
    image: signal.subject.image ?? (typeof pod?.attrs.image?.value === 'string' ? pod.attrs.image.value : undefined),
    roleArn: signal.subject.roleArn,
  };
}

/** The first suppression in force at the signal's time whose every named field matches. */
export function findSuppression(signal: Signal, scope: SuppressionScope, suppressions: readonly Suppression[]): Suppression | undefined {
  return suppressions.find(
    (rule) =>
      signal.time < rule.expires.getTime() &&
      (!rule.rule || matchesRule(rule.rule, signal.rule)) &&
      (!rule.namespace || rule.namespace === scope.namespace) &&
      (!rule.serviceAccount || rule.serviceAccount === scope.serviceAccount) &&
      (!rule.image || (scope.image?.startsWith(rule.image) ?? false)) &&
      (!rule.roleArn || rule.roleArn === scope.roleArn),
  );
}

/** `eks-audit.*` suppresses a whole family. */
function matchesRule(pattern: string, rule: string): boolean {
  return pattern.endsWith('*') ? rule.startsWith(pattern.slice(0, -1)) : pattern === rule;
}
