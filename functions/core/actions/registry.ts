import { blockImageDigest } from './block-image-digest.ts';
import { captureEvidence } from './capture-evidence.ts';
import { cordonNode } from './cordon-node.ts';
import { denyWebIdentity } from './deny-web-identity.ts';
import { fenceRole } from './fence-role.ts';
import type { IamScope } from './descriptor.ts';
import { isolatePod } from './isolate-pod.ts';
import { restartPod } from './restart-pod.ts';
import { revokeAllSessions } from './revoke-all-sessions.ts';
import { revokeRoleSessions } from './revoke-role-sessions.ts';
import { scaleDown } from './scale-down.ts';

/**
 * Every containment action, in the order the workflow runs them and people read them. Adding an
 * action is its descriptor, its adapter (functions/adapters/containment/actions) and a line here.
 */
export const ACTIONS = [
  captureEvidence,
  isolatePod,
  revokeRoleSessions,
  fenceRole,
  revokeAllSessions,
  denyWebIdentity,
  restartPod,
  scaleDown,
  cordonNode,
  blockImageDigest,
] as const;

export type ContainmentAction = (typeof ACTIONS)[number]['name'];

/** The descriptor of one action, with its literal undo kinds. */
export type DescriptorOf<Name extends ContainmentAction> = Extract<(typeof ACTIONS)[number], { readonly name: Name }>;

export type UndoKindOf<Name extends ContainmentAction> = DescriptorOf<Name>['undoKinds'][number];

/** The action names, as the configuration schema and the allow-lists of the approval page and the terminal take them. */
export const ACTION_NAMES = ACTIONS.map((descriptor) => descriptor.name) as [ContainmentAction, ...ContainmentAction[]];

const BY_NAME = new Map<string, (typeof ACTIONS)[number]>(ACTIONS.map((descriptor) => [descriptor.name, descriptor]));

export function isContainmentAction(name: string): name is ContainmentAction {
  return BY_NAME.has(name);
}

export function actionDescriptor<Name extends ContainmentAction>(name: Name): DescriptorOf<Name> {
  return BY_NAME.get(name) as DescriptorOf<Name>;
}

/** Where the default configuration puts each action: `actions.automatic` or `actions.approval`. */
export function actionsByDefault(tier: 'automatic' | 'approval'): ContainmentAction[] {
  return ACTIONS.filter(({ tier: rule }) => ('always' in rule ? rule.always : rule.byDefault) === tier).map((descriptor) => descriptor.name);
}

/** Every IAM action the actions need on one scope, each once, in the order the actions name them. */
export function iamActionsOn(scope: IamScope): string[] {
  return [...new Set(ACTIONS.flatMap((descriptor) => descriptor.needs.iam.filter((need) => need.on === scope).flatMap((need) => need.actions)))];
}
