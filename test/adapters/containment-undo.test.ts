import { describe, expect, it } from 'vitest';
import { type UndoDeps, undoRecorded } from '#adapters/containment/undo';
import { MemoryResponseStore } from '#adapters/memory-responses';
import type { ActionRecord, UndoStep } from '#core/respond/action';
import { openResponse, withActions } from '#core/respond/response';

const INCIDENT = 'inc-0a1b2c3d4e5f';
const ROLE_ARN = 'arn:aws:iam::111122223333:role/checkout-irsa';
const AT = '2026-11-21T02:41:00.000Z';

const step = (action: ActionRecord['action'], target: string, undo: UndoStep, startedAt: string): ActionRecord => ({
  action,
  incidentId: INCIDENT,
  target,
  startedAt,
  finishedAt: startedAt,
  result: 'applied',
  detail: 'done',
  undo,
});

const isolation = step(
  'isolate-pod',
  'prod-east/shop/checkout',
  {
    kind: 'remove-pod-quarantine',
    cluster: 'prod-east',
    namespace: 'shop',
    pod: 'checkout',
    label: 'pivotguard.io/quarantine',
    networkPolicy: `pivotguard-quarantine-${INCIDENT}`,
  },
  '2026-11-21T02:40:01.000Z',
);
const revocation = step(
  'revoke-role-sessions',
  ROLE_ARN,
  { kind: 'delete-role-policy', roleName: 'checkout-irsa', policyName: `pivotguard-revoke-${INCIDENT}` },
  '2026-11-21T02:40:02.000Z',
);

/** The recorded steps, and adapters that say which of them they were asked to reverse. */
async function recorded(records: ActionRecord[], clusterDown = false) {
  const responses = new MemoryResponseStore();
  await responses.updateResponse(INCIDENT, () => withActions(openResponse(INCIDENT, AT), records));
  const calls: string[] = [];
  const deps: UndoDeps = {
    responses,
    iam: {
      undo: async (undo, context) => {
        calls.push(`iam ${undo.kind}${context.dryRun ? ' (dry)' : ''}`);
        return { ...revocation, result: context.dryRun ? 'dry-run' : 'applied', detail: 'policy deleted' };
      },
      restoreTrustPolicy: async (undo, context) => {
        calls.push(`iam ${undo.kind}${context.dryRun ? ' (dry)' : ''}`);
        return { ...revocation, result: context.dryRun ? 'dry-run' : 'applied', detail: 'trust policy restored' };
      },
    },
    kubernetes: async (cluster) => {
      if (clusterDown) throw new Error(`${cluster} is unreachable`);
      return {
        undo: async (undo) => {
          calls.push(`cluster ${undo.kind}`);
          return { undo, startedAt: AT, finishedAt: AT, result: 'undone', detail: 'quarantine removed' };
        },
      };
    },
    clock: () => new Date(AT),
  };
  return { deps, calls, responses };
}

describe('undoRecorded', () => {
  it("reverses each step through its action's undo, newest first, and records it", async () => {
    const { deps, calls, responses } = await recorded([isolation, revocation]);
    const undone = await undoRecorded({ incidentId: INCIDENT, by: 'alice' }, deps);

    expect(calls).toEqual(['iam delete-role-policy', 'cluster remove-pod-quarantine']);
    expect(undone.map(({ action, result }) => [action, result])).toEqual([
      ['revoke-role-sessions', 'undone'],
      ['isolate-pod', 'undone'],
    ]);
    expect((await responses.getResponse(INCIDENT))?.undone).toEqual(undone);
  });

  it('dry: asks IAM what it would delete and leaves the cluster alone', async () => {
    const { deps, calls } = await recorded([isolation, revocation]);
    const undone = await undoRecorded({ incidentId: INCIDENT, by: 'alice', dryRun: true }, deps);

    expect(calls).toEqual(['iam delete-role-policy (dry)']);
    expect(undone.map(({ result }) => result)).toEqual(['dry-run', 'dry-run']);
    expect(undone[1]!.detail).toBe(`would remove pivotguard.io/quarantine from pod shop/checkout and delete NetworkPolicy pivotguard-quarantine-${INCIDENT}`);
  });

  it('records an unreachable cluster as a failed reversal and goes on with the others', async () => {
    const { deps, calls } = await recorded([isolation, revocation], true);
    const undone = await undoRecorded({ incidentId: INCIDENT, by: 'alice' }, deps);

    expect(calls).toEqual(['iam delete-role-policy']);
    expect(undone.map(({ result }) => result)).toEqual(['undone', 'failed']);
    expect(undone[1]!.detail).toMatch(/^could not remove pivotguard.io\/quarantine .*: prod-east is unreachable$/);
  });

  it('refuses, without running it, an undo kind the action never records', async () => {
    const forged = { ...isolation, undo: revocation.undo! };
    const { deps, calls } = await recorded([forged]);
    const undone = await undoRecorded({ incidentId: INCIDENT, by: 'alice' }, deps);

    expect(calls).toEqual([]);
    expect(undone).toMatchObject([{ action: 'isolate-pod', result: 'failed', detail: 'isolate-pod has no undo of kind delete-role-policy' }]);
  });
});
