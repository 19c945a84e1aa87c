import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The approval link an alert carries: it names the incident, expires, and is signed, so it can
 * be neither forged nor reused past its time. The Step Functions task token never leaves the
 * server; single use is enforced where the token is kept (the first decision consumes it). Where
 * the link was emailed is kept server-side too (`ApprovalRequest.sentTo`, found by the nonce), so
 * neither the link nor the page's form can claim another recipient.
 */
export interface ApprovalClaim {
  incidentId: string;
  /** Epoch milliseconds after which the link is refused. */
  expiresAt: number;
  /** Random per link, so a link for one wait cannot answer another. */
  nonce: string;
  /**
   * What the link may do: `decide` approves or rejects the wait it was sent for, nothing else;
   * `manage` undoes steps and resolves or dismisses the incident. Absent: decide.
   */
  purpose?: LinkPurpose;
}

export type LinkPurpose = 'decide' | 'manage';

export function signApprovalLink(claim: ApprovalClaim, secret: string): string {
  const parts = [claim.incidentId, claim.expiresAt, claim.nonce, ...(claim.purpose === 'manage' ? ['manage'] : [])];
  const body = Buffer.from(JSON.stringify(parts)).toString('base64url');
  return `${body}.${mac(body, secret)}`;
}

export type ApprovalCheck = { ok: true; claim: ApprovalClaim } | { ok: false; problem: 'malformed' | 'forged' | 'expired'; reason: string };

export function verifyApprovalLink(token: string, secret: string, now: number): ApprovalCheck {
  const [body, signature, extra] = token.split('.');
  if (!body || !signature || extra !== undefined) return { ok: false, problem: 'malformed', reason: 'the link is malformed' };
  const expected = Buffer.from(mac(body, secret));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given))
    return { ok: false, problem: 'forged', reason: 'the link is not signed by this pivotguard' };
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, problem: 'malformed', reason: 'the link is malformed' };
  }
  if (!Array.isArray(parts) || typeof parts[0] !== 'string' || typeof parts[1] !== 'number' || typeof parts[2] !== 'string') {
    return { ok: false, problem: 'malformed', reason: 'the link is malformed' };
  }
  // The purpose is signed with the rest: a decide link cannot be turned into a manage link.
  const claim: ApprovalClaim = { incidentId: parts[0], expiresAt: parts[1], nonce: parts[2], purpose: parts[3] === 'manage' ? 'manage' : 'decide' };
  if (now > claim.expiresAt) return { ok: false, problem: 'expired', reason: `the link expired at ${new Date(claim.expiresAt).toISOString()}` };
  return { ok: true, claim };
}

function mac(body: string, secret: string): string {
  return createHmac('sha256', secret).update(body).digest('base64url');
}
