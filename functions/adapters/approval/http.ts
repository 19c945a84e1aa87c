import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { ACTION_NAMES } from '#core/actions/registry';
import { type ApprovalClaim, verifyApprovalLink } from '#core/respond/approval-link';
import { renderErrorPage, renderIncidentPage, renderResultPage } from '#core/respond/approval-page';
import { ACTION_LABELS } from '#core/respond/action-labels';
import { decidedByWords } from '#core/view/decision-words';
import { utc } from '#core/view/words';
import { type IncidentResponse, InvalidTransition, type UndoneRecord } from '#core/respond/response';
import type { ApprovalDesk } from './desk.ts';

/**
 * The approval page behind a Lambda Function URL (no AWS auth): the signed link is the only
 * credential. Mail scanners open links, so GET and HEAD only read; a POST decides.
 */
export interface ApprovalPageDeps {
  desk: ApprovalDesk;
  /** The link-signing secret; the caller caches it. */
  secret: () => Promise<string>;
  clock?: () => Date;
  /** Where unexpected errors go; the page itself only ever shows a generic message. */
  log?: (message: string, error: unknown) => void;
}

export type ApprovalPageResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string>; body: string };

const SECURITY_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  // The token is in the URL: never send it on to another site.
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
};

const ALLOWED_METHODS = 'GET, HEAD, POST';
/** A form of a name, an op and a reason is far below this; anything bigger is not ours. */
const MAX_BODY_BYTES = 16 * 1024;

/** A request refused with a status and a reason fit to show. */
export class RequestRefused extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'RequestRefused';
  }
}

export function approvalPageHandler(deps: ApprovalPageDeps): (event: APIGatewayProxyEventV2) => Promise<ApprovalPageResult> {
  const clock = deps.clock ?? (() => new Date());
  const log = deps.log ?? ((message, error) => console.error(message, error));

  async function verified(token: string | undefined, now: Date): Promise<{ token: string; claim: ApprovalClaim }> {
    if (!token) throw new RequestRefused(400, 'The link has no token. Open the link from the alert as it was sent.');
    const check = verifyApprovalLink(token, await deps.secret(), now.getTime());
    if (check.ok) return { token, claim: check.claim };
    throw new RequestRefused(LINK_STATUS[check.problem], `This approval link cannot be used: ${check.reason}.`);
  }

  async function incidentOf(claim: ApprovalClaim) {
    const found = await deps.desk.show(claim.incidentId);
    if (!found) throw new RequestRefused(404, `Incident ${claim.incidentId} is not known here any more.`);
    return found;
  }

  async function view(event: APIGatewayProxyEventV2): Promise<ApprovalPageResult> {
    const now = clock();
    const { token, claim } = await verified(event.queryStringParameters?.t, now);
    const { incident, response } = await incidentOf(claim);
    return reply(200, renderIncidentPage({ incident, response, token, now, nonce: claim.nonce, canManage: claim.purpose === 'manage' }));
  }

  async function act(event: APIGatewayProxyEventV2): Promise<ApprovalPageResult> {
    const now = clock();
    const fields = formFields(event);
    const { token, claim } = await verified(fields.get('t') ?? event.queryStringParameters?.t, now);
    const form = parseForm(fields);
    await incidentOf(claim);
    const incidentId = claim.incidentId;
    switch (form.op) {
      case 'approve':
      case 'reject': {
        const result = await deps.desk.decide({ incidentId, nonce: claim.nonce, decision: form.op, by: form.by });
        if (!result.ok) throw new RequestRefused(409, result.reason);
        return reply(
          200,
          renderResultPage({ title: form.op === 'approve' ? 'Approved' : 'Rejected', lines: decisionLines(result.response, form.op, form.by, now), token }),
        );
      }
    }
    // A link decides only what it was issued for: the approval link in an email cannot undo or dismiss.
    if (claim.purpose !== 'manage') {
      throw new RequestRefused(
        403,
        `This link decides the approval only. To ${form.op} the incident, use a link issued for it or the terminal: npx pivotguard ${form.op} ${incidentId}.`,
      );
    }
    switch (form.op) {
      case 'undo': {
        const records = await deps.desk.undo({ incidentId, by: form.by, ...(form.action ? { action: form.action } : {}) });
        return reply(200, renderResultPage({ title: 'Undo', lines: undoLines(records), token }));
      }
      case 'resolve':
      case 'dismiss': {
        const to = form.op === 'resolve' ? 'resolved' : 'false-positive';
        const result = await deps.desk.setStatus({ incidentId, to, by: form.by, ...(form.op === 'dismiss' ? { reason: form.reason } : {}) });
        if (!result.ok) throw new RequestRefused(409, result.reason);
        return reply(200, renderResultPage({ title: to === 'resolved' ? 'Resolved' : 'Dismissed', lines: statusLines(result.response, form.by, now), token }));
      }
    }
  }

  return async (event) => {
    const method = event.requestContext.http.method.toUpperCase();
    try {
      if (method === 'GET') return await view(event);
      // HEAD answers like GET (same status and headers) without a body; it reads, never changes.
      if (method === 'HEAD') return { ...(await view(event)), body: '' };
      if (method === 'POST') return await act(event);
      return {
        ...reply(405, renderErrorPage({ status: 405, reason: 'This page can only be viewed, or answered with its own forms.' })),
        headers: { ...SECURITY_HEADERS, allow: ALLOWED_METHODS },
      };
    } catch (error) {
      const refused =
        error instanceof RequestRefused
          ? error
          : error instanceof InvalidTransition
            ? new RequestRefused(409, `Nothing was changed: ${error.message}.`)
            : undefined;
      if (!refused) log('approval page: request failed', error);
      const result = refused
        ? reply(refused.status, renderErrorPage(refused))
        : reply(500, renderErrorPage({ status: 500, reason: 'The request could not be completed. Reload the incident page to see what was recorded.' }));
      return method === 'HEAD' ? { ...result, body: '' } : result;
    }
  };
}

function reply(statusCode: number, body: string): ApprovalPageResult {
  return { statusCode, headers: { ...SECURITY_HEADERS }, body };
}

const LINK_STATUS = { malformed: 400, forged: 403, expired: 410 } as const;

function formFields(event: APIGatewayProxyEventV2): URLSearchParams {
  const type = (event.headers?.['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') throw new RequestRefused(415, 'Send the page’s own form (application/x-www-form-urlencoded).');
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (body.length > MAX_BODY_BYTES) throw new RequestRefused(413, 'The form is larger than this page ever sends.');
  return new URLSearchParams(body.toString('utf8'));
}

const by = z
  .string({ error: 'Enter your name or email: it is recorded as who acted.' })
  .trim()
  .min(1, 'Enter your name or email: it is recorded as who acted.')
  .max(200, 'Your name or email is longer than 200 characters.')
  .regex(/^[^\u0000-\u001f\u007f]*$/, 'Your name or email contains control characters.');

const formSchema = z.discriminatedUnion(
  'op',
  [
    z.object({ op: z.literal('approve'), by }),
    z.object({ op: z.literal('reject'), by }),
    z.object({
      op: z.literal('undo'),
      by,
      action: z.enum(ACTION_NAMES, { error: `The action to undo must be one of: ${ACTION_NAMES.join(', ')}.` }).optional(),
    }),
    z.object({ op: z.literal('resolve'), by }),
    z.object({
      op: z.literal('dismiss'),
      by,
      reason: z
        .string({ error: 'Say why this is a false positive.' })
        .trim()
        .min(1, 'Say why this is a false positive.')
        .max(2000, 'The reason is longer than 2000 characters.'),
    }),
  ],
  { error: 'The form asked for something this page does not do (op must be approve, reject, undo, resolve or dismiss).' },
);

type Form = z.output<typeof formSchema>;

function parseForm(fields: URLSearchParams): Form {
  const value = (name: string) => fields.get(name) ?? undefined;
  // The undo-all form sends no action; an empty one means the same.
  const parsed = formSchema.safeParse({ op: value('op'), by: value('by'), action: value('action') || undefined, reason: value('reason') });
  if (!parsed.success) throw new RequestRefused(400, parsed.error.issues[0]?.message ?? 'The form could not be read.');
  return parsed.data;
}

function decisionLines(response: IncidentResponse, decision: 'approve' | 'reject', by: string, now: Date): string[] {
  const approval = response.approval;
  const at = utc(approval?.decidedAt ?? now.toISOString());
  const steps = (approval?.proposed ?? []).map((step) => `${ACTION_LABELS[step.action]} ${step.target}`).join('; ') || 'nothing';
  const who = (approval && decidedByWords(approval)) ?? by;
  return decision === 'approve'
    ? [`Approved by ${who} at ${at}.`, `The workflow continues with: ${steps}.`]
    : [`Rejected by ${who} at ${at}.`, `The workflow will not run: ${steps}.`];
}

function undoLines(records: readonly UndoneRecord[]): string[] {
  if (records.length === 0) return ['Nothing was left to undo.'];
  return records.map((record) => `${ACTION_LABELS[record.action]} ${record.target}: ${record.result} by ${record.by} at ${utc(record.at)}. ${record.detail}`);
}

function statusLines(response: IncidentResponse, by: string, now: Date): string[] {
  const change = response.history.at(-1);
  const at = utc(change?.at ?? now.toISOString());
  const lines = [
    response.status === 'resolved'
      ? `Marked resolved by ${by} at ${at}.`
      : `Dismissed as a false positive by ${by} at ${at}${change?.reason ? `: ${change.reason}` : ''}.`,
  ];
  const suppression = response.proposedSuppression;
  if (response.status === 'false-positive' && suppression && !suppression.accepted) {
    const scope = Object.entries(suppression.scope)
      .map(([key, value]) => `${key} ${value}`)
      .join(', ');
    lines.push(`Proposed suppression: rule ${suppression.rule}${scope ? ` for ${scope}` : ''} until ${utc(suppression.expiresAt)} (not yet accepted).`);
  }
  return lines;
}
