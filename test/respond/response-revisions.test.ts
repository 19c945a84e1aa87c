import { describe, expect, it } from 'vitest';
import type { PlannedAction } from '#core/model/incident';
import {
  type ApprovalRequest,
  type IncidentResponse,
  actionKey,
  openResponse,
  uncoveredPlan,
  withApprovalRequested,
  withExecution,
} from '#core/respond/response';

const ROLE = 'arn:aws:iam::111122223333:role/checkout-irsa';
const POD = 'prod-east/payments/checkout-7d9f8b6c5-x2k4q';
const isolate: PlannedAction = { action: 'isolate-pod', target: POD, reason: 'r' };
const revokeOwn: PlannedAction = { action: 'revoke-role-sessions', target: ROLE, reason: 'r', scope: ['aws-sdk-js-session-1'] };
const revokeBoth: PlannedAction = { ...revokeOwn, scope: ['aws-sdk-js-session-1', 'botocore-session-1'] };
const restart: PlannedAction = { action: 'restart-pod', target: POD, reason: 'r' };
const scaleDown: PlannedAction = { action: 'scale-down', target: 'prod-east/payments/Deployment/checkout', reason: 'r' };
const NOW = '2026-11-21T03:00:00.000Z';
const opened = openResponse('inc-1', '2026-11-21T02:40:00.000Z');

function request(execution: string, proposed: PlannedAction[], overrides: Partial<ApprovalRequest> = {}): ApprovalRequest & { execution: string } {
  return { nonce: `nonce-${execution}`, requestedAt: NOW, expiresAt: '2026-11-22T03:00:00.000Z', proposed, execution, ...overrides };
}

describe('what earlier executions covered', () => {
  it('tells a revoke of the same role with a new session from the one already run, whatever the order of its sessions', () => {
    expect(actionKey(revokeBoth)).not.toBe(actionKey(revokeOwn));
    expect(actionKey({ ...revokeBoth, scope: [...revokeBoth.scope!].reverse() })).toBe(actionKey(revokeBoth));
    const reworded: PlannedAction = { ...isolate, reason: 'other words', dryRun: true };
    expect(actionKey(reworded)).toBe(actionKey(isolate));
  });

  it('leaves of a plan only what no execution took on', () => {
    const response = withExecution(
      opened,
      { execution: 'inc-1', startedAt: NOW, dryRun: false, covers: [isolate, revokeOwn, scaleDown].map(actionKey) },
      'first',
    );
    expect(uncoveredPlan({ automatic: [isolate, revokeBoth], approval: [scaleDown, restart] }, response)).toEqual({
      automatic: [revokeBoth],
      approval: [restart],
    });
    const extended = withExecution(
      response,
      { execution: 'inc-1-0a1b2c3d', startedAt: NOW, dryRun: false, covers: [revokeBoth, restart].map(actionKey) },
      'revision',
    );
    expect(uncoveredPlan({ automatic: [isolate, revokeBoth], approval: [scaleDown, restart] }, extended)).toEqual({ automatic: [], approval: [] });
  });

  it('takes the whole plan as new for a response recorded before revisions', () => {
    const legacy: IncidentResponse = { ...opened, workflow: { execution: 'inc-1', startedAt: NOW, dryRun: false } };
    expect(uncoveredPlan({ automatic: [isolate], approval: [scaleDown] }, legacy)).toEqual({ automatic: [isolate], approval: [scaleDown] });
    expect(uncoveredPlan({ automatic: [isolate], approval: [] }, undefined)).toEqual({ automatic: [isolate], approval: [] });
  });

  it('records each execution once, keeping what was recorded at its start and adding its finish', () => {
    const started = withExecution(opened, { execution: 'inc-1', startedAt: NOW, dryRun: false, covers: ['a'] }, 'first');
    const finished = withExecution(
      started,
      { execution: 'inc-1', startedAt: '2026-11-21T02:00:00.000Z', dryRun: false, covers: ['b'], finishedAt: '2026-11-21T03:05:00.000Z' },
      'first',
    );
    expect(finished.workflow).toEqual({ execution: 'inc-1', startedAt: NOW, dryRun: false, covers: ['a'], finishedAt: '2026-11-21T03:05:00.000Z' });
    const revised = withExecution(finished, { execution: 'inc-1-r', startedAt: NOW, dryRun: false, covers: ['c'] }, 'revision');
    const again = withExecution(
      revised,
      { execution: 'inc-1-r', startedAt: NOW, dryRun: false, covers: ['c'], finishedAt: '2026-11-21T03:06:00.000Z' },
      'revision',
    );
    expect(again.workflow).toEqual(finished.workflow);
    expect(again.revisions).toEqual([{ execution: 'inc-1-r', startedAt: NOW, dryRun: false, covers: ['c'], finishedAt: '2026-11-21T03:06:00.000Z' }]);
  });
});

describe('one approval wait at a time', () => {
  it("adds a revision's steps to another execution's open request, each step once", () => {
    const waiting = { ...opened, approval: request('inc-1', [scaleDown]) };
    const { response, taken } = withApprovalRequested(waiting, request('inc-1-r', [scaleDown, restart]), NOW);
    expect(taken).toEqual({ joined: { ...waiting.approval, proposed: [scaleDown, restart] }, added: [restart] });
    expect(response.approval).toEqual({ ...waiting.approval, proposed: [scaleDown, restart] });
    // Retried, it adds nothing and changes nothing.
    expect(withApprovalRequested(response, request('inc-1-r', [scaleDown, restart]), NOW)).toEqual({
      response,
      taken: { joined: response.approval, added: [] },
    });
  });

  it('keeps the request an execution opened already when its step is retried', () => {
    const mine = { ...opened, approval: request('inc-1', [scaleDown]) };
    expect(withApprovalRequested(mine, request('inc-1', [scaleDown], { nonce: 'another' }), NOW)).toEqual({ response: mine, taken: { opened: mine.approval } });
  });

  it('opens a new request once the earlier one is decided, and keeps the earlier one in the history', () => {
    const decided = { ...opened, approval: { ...request('inc-1', [scaleDown]), decision: 'rejected' as const, decidedBy: 'bob', decidedAt: NOW } };
    const fresh = request('inc-1-r', [restart]);
    const { response, taken } = withApprovalRequested(decided, fresh, NOW);
    expect(taken).toEqual({ opened: fresh });
    expect(response.approval).toEqual(fresh);
    expect(response.earlierApprovals).toEqual([decided.approval]);
  });

  it('records a request nobody answered before it expired as timed out when a new one replaces it', () => {
    const expired = { ...opened, approval: request('inc-1', [scaleDown], { expiresAt: '2026-11-21T02:59:00.000Z' }) };
    const { response } = withApprovalRequested(expired, request('inc-1-r', [restart]), NOW);
    expect(response.earlierApprovals).toEqual([{ ...expired.approval, decision: 'timeout', decidedBy: 'nobody (timed out)', decidedAt: NOW }]);
  });
});
