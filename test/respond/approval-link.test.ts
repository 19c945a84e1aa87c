import { describe, expect, it } from 'vitest';
import { signApprovalLink, verifyApprovalLink } from '#core/respond/approval-link';

const SECRET = 'test-secret-0123456789abcdef';
const claim = { incidentId: 'inc-452d9cf477d0', expiresAt: Date.parse('2026-11-22T02:00:00Z'), nonce: 'n-1' };

describe('approval links', () => {
  it('carry the incident and verify before they expire', () => {
    const token = signApprovalLink(claim, SECRET);
    expect(verifyApprovalLink(token, SECRET, Date.parse('2026-11-21T03:00:00Z'))).toEqual({ ok: true, claim: { ...claim, purpose: 'decide' } });
  });

  it('carry what they were issued for, signed: a decide link cannot be turned into a manage link', () => {
    const manage = signApprovalLink({ ...claim, purpose: 'manage' }, SECRET);
    expect(verifyApprovalLink(manage, SECRET, Date.parse('2026-11-21T03:00:00Z'))).toMatchObject({ ok: true, claim: { purpose: 'manage' } });
    const [, signature] = signApprovalLink(claim, SECRET).split('.');
    const [body] = manage.split('.');
    expect(verifyApprovalLink(`${body}.${signature}`, SECRET, Date.parse('2026-11-21T03:00:00Z'))).toMatchObject({ ok: false, problem: 'forged' });
  });

  it('are refused once expired, when tampered with, or signed with another secret', () => {
    const token = signApprovalLink(claim, SECRET);
    expect(verifyApprovalLink(token, SECRET, Date.parse('2026-11-22T02:00:01Z'))).toEqual({
      ok: false,
      problem: 'expired',
      reason: 'the link expired at 2026-11-22T02:00:00.000Z',
    });
    const forged = signApprovalLink({ ...claim, incidentId: 'inc-other' }, 'another-secret');
    expect(verifyApprovalLink(forged, SECRET, 0)).toEqual({ ok: false, problem: 'forged', reason: 'the link is not signed by this pivotguard' });
    const [, signature] = token.split('.');
    const swapped = `${Buffer.from(JSON.stringify(['inc-other', claim.expiresAt, claim.nonce])).toString('base64url')}.${signature}`;
    expect(verifyApprovalLink(swapped, SECRET, 0)).toMatchObject({ ok: false, problem: 'forged' });
    expect(verifyApprovalLink('not-a-token', SECRET, 0)).toEqual({ ok: false, problem: 'malformed', reason: 'the link is malformed' });
  });
});
