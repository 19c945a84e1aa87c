import { type Config, NODE_WIDE_ACTIONS, isProtectedNamespace } from '#core/config';
import type { ContainmentAction, IncidentIdentity, IncidentWorkload, PlannedAction } from '#core/model/incident';

export interface PlanInput {
  workload: IncidentWorkload;
  identities: IncidentIdentity[];
  /** The host itself may be compromised: escape signals, host-level pods, node credentials misused. */
  hostAtRisk: boolean;
  podStillRunning: boolean;
}

/**
 * The containment plan: reversible, scoped actions run automatically; anything node-wide or in a
 * protected namespace, and anything the configuration does not make automatic, waits for a person.
 */
export function planContainment(input: PlanInput, config: Config): { automatic: PlannedAction[]; approval: PlannedAction[] } {
  const { workload } = input;
  const candidates: PlannedAction[] = [];
  const podTarget = workload.pod ? `${workload.cluster}/${workload.namespace}/${workload.pod}` : undefined;
  candidates.push({
    action: 'capture-evidence',
    target: podTarget ?? input.identities[0]?.roleArn ?? 'incident',
    reason: 'keep the records, pod spec, logs and role policies before anything changes',
  });
  if (podTarget && input.podStillRunning) {
    candidates.push({
      action: 'isolate-pod',
      target: podTarget,
      reason: 'cut the pod off the network but keep it running for forensics',
    });
  }
  for (const identity of input.identities) {
    if (identity.via === 'observed' || identity.sessions.length === 0) continue;
    candidates.push({
      action: 'revoke-role-sessions',
      target: identity.roleArn,
      reason: `deny the implicated ${identity.via} session(s) ${identity.sessions.slice(0, 3).join(', ')}; other pods keep the role`,
      scope: [...identity.sessions].sort(),
    });
  }
  for (const identity of input.identities) {
    if (identity.via === 'observed') continue;
    candidates.push({
      action: 'revoke-all-sessions',
      target: identity.roleArn,
      reason: 'deny every session of the role issued before now (AWSRevokeOlderSessions); every pod using it must fetch new credentials',
    });
  }
  if (podTarget && input.podStillRunning) {
    candidates.push({ action: 'restart-pod', target: podTarget, reason: 'replace the pod with a fresh one from its spec' });
  }
  if (workload.owner && workload.cluster && workload.namespace) {
    candidates.push({
      action: 'scale-down',
      target: `${workload.cluster}/${workload.namespace}/${workload.owner}`,
      reason: 'stop every replica of the compromised image until it is fixed',
    });
  }
  if (workload.node && input.hostAtRisk) {
    candidates.push({ action: 'cordon-node', target: workload.node, reason: 'the host may be compromised: schedule nothing new on it' });
  }
  const automatic: PlannedAction[] = [];
  const approval: PlannedAction[] = [];
  for (const candidate of candidates) {
    const action = isDryRun(candidate.action, config) ? { ...candidate, dryRun: true } : candidate;
    (shouldAutoContain(action.action, workload.namespace, config) ? automatic : approval).push(action);
  }
  return { automatic, approval };
}

export function shouldAutoContain(action: ContainmentAction, namespace: string | null, config: Config): boolean {
  if (action === 'capture-evidence') return true;
  if (NODE_WIDE_ACTIONS.includes(action)) return false;
  if (isProtectedNamespace(config, namespace)) return false;
  return config.actions.automatic.includes(action) && !config.actions.approval.includes(action);
}

function isDryRun(action: ContainmentAction, config: Config): boolean {
  const { dryRun } = config.actions;
  return dryRun === true || (Array.isArray(dryRun) && dryRun.includes(action));
}
