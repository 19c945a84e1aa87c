import { ACTIONS, type ContainmentAction } from '#core/actions/registry';

/** How an action is named to a person, in the email and on the approval page. */
export const ACTION_LABELS = Object.fromEntries(ACTIONS.map((descriptor) => [descriptor.name, descriptor.label])) as Record<ContainmentAction, string>;
