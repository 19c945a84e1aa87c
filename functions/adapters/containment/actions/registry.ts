import type { ReversingUndoKind } from '#core/actions/descriptor';
import type { ContainmentAction } from '#core/actions/registry';
import type { ReversibleRecord } from '#core/respond/undo-plan';
import type { ActionAdapter, UndoContext, UndoOutcome } from './adapter.ts';
import { blockImageDigest } from './block-image-digest.ts';
import { captureEvidence } from './capture-evidence.ts';
import { cordonNode } from './cordon-node.ts';
import { denyWebIdentity } from './deny-web-identity.ts';
import { fenceRole } from './fence-role.ts';
import { isolatePod } from './isolate-pod.ts';
import { restartPod } from './restart-pod.ts';
import { revokeAllSessions } from './revoke-all-sessions.ts';
import { revokeRoleSessions } from './revoke-role-sessions.ts';
import { scaleDown } from './scale-down.ts';

/** Each action's adapter, by its name in the core registry; the type makes every action have one, with an undo for each of its undo kinds. */
export const ACTION_ADAPTERS: { [Name in ContainmentAction]: ActionAdapter<Name> } = {
  'capture-evidence': captureEvidence,
  'isolate-pod': isolatePod,
  'revoke-role-sessions': revokeRoleSessions,
  'fence-role': fenceRole,
  'revoke-all-sessions': revokeAllSessions,
  'deny-web-identity': denyWebIdentity,
  'restart-pod': restartPod,
  'scale-down': scaleDown,
  'cordon-node': cordonNode,
  'block-image-digest': blockImageDigest,
};

/** How a recorded step is reversed: its action's runner for the undo kind it recorded; none for a kind its action never records. */
export function undoRunnerFor(record: ReversibleRecord): ((context: UndoContext) => Promise<UndoOutcome>) | undefined {
  // The runner is looked up by the step's own kind, which the compiler cannot follow from a value read at run time.
  const runners = ACTION_ADAPTERS[record.action]?.undo as
    | Partial<Record<ReversingUndoKind, (step: ReversibleRecord['undo'], context: UndoContext) => Promise<UndoOutcome>>>
    | undefined;
  const runner = runners && Object.hasOwn(runners, record.undo.kind) ? runners[record.undo.kind] : undefined;
  return runner && ((context) => runner(record.undo, context));
}
