import { ACTIONS, type ContainmentAction, actionDescriptor } from '#core/actions/registry';
import { type Config, isProtectedNamespace } from '#core/config';
import type { IncidentIdentity, IncidentWorkload, PlannedAction } from '#core/model/incident';
import type { IncidentImage } from '#core/model/vulnerability';

export interface PlanInput {
  workload: IncidentWorkload;
  identities: IncidentIdentity[];
  /** The host itself may be compromised: escape signals, host-level pods, node credentials misused. */
  hostAtRisk: boolean;
  podStillRunning: boolean;
  /** Where the cluster's requests to AWS come from, as configured: its egress addresses and its VPC(s). */
  egress: { cidrs: string[]; vpcIds: string[] };
  /** The image behind the incident and its vulnerabilities, where known. */
  image?: IncidentImage;
}

/**
 * The containment plan: every action proposes the steps the incident calls for, in the order the
 * workflow runs them; each step runs automatically or waits for a person as its tier rule says.
 */
export function planContainment(input: PlanInput, config: Config): { automatic: PlannedAction[]; approval: PlannedAction[] } {
  const automatic: PlannedAction[] = [];
  const approval: PlannedAction[] = [];
  for (const descriptor of ACTIONS) {
    for (const { waitsForPerson, ...proposal } of descriptor.propose(input)) {
      const step: PlannedAction = { action: descriptor.name, ...proposal, ...(isDryRun(descriptor.name, config) ? { dryRun: true } : {}) };
      // Node-wide is node-wide, and a role others may use is theirs too: whatever the configuration says, a person decides.
      (!waitsForPerson && shouldAutoContain(step.action, input.workload.namespace, config) ? automatic : approval).push(step);
    }
  }
  return { automatic, approval };
}

/**
 * Scoped, reversible steps the configuration makes automatic run without a person; an action whose
 * tier is fixed ignores the configuration, and anything else in a protected namespace waits.
 */
export function shouldAutoContain(action: ContainmentAction, namespace: string | null, config: Config): boolean {
  const { tier } = actionDescriptor(action);
  if ('always' in tier) return tier.always === 'automatic';
  if (isProtectedNamespace(config, namespace)) return false;
  return config.actions.automatic.includes(action) && !config.actions.approval.includes(action);
}

function isDryRun(action: ContainmentAction, config: Config): boolean {
  const { dryRun } = config.actions;
  return dryRun === true || (Array.isArray(dryRun) && dryRun.includes(action));
}
