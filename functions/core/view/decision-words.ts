import { type ApprovalRequest, UNKNOWN_RECIPIENTS } from '#core/respond/response';
import { commaList, ellipsize, printable } from './words.ts';

// Quote marks of every kind: the declared name is shown between quotes, so it can hold none of its own.
const QUOTES = /['"`\u00ab\u00bb\u00b4\u2018-\u201f\u2032-\u2037\u2039\u203a\u275b-\u275e\u301d-\u301f\uff02\uff07]/g;

/**
 * The name typed on the approval page, as it is recorded and shown: one printable line without
 * quote marks, so `'alice' (declared) through the link sent to ops@example.com` cannot be
 * extended from inside the name to read as another person or another recipient.
 */
export function declaredName(typed: string): string {
  return ellipsize(printable(printable(typed).replace(QUOTES, ' ')), 200) || '(blank)';
}

/**
 * Who decided an approval request, in the words every rendering uses. A decision made through
 * the emailed link names what the person declared (the page cannot verify it) and where the
 * link had been sent; the terminal's decision names its caller. Undefined while undecided.
 */
export function decidedByWords(approval: Pick<ApprovalRequest, 'decidedBy' | 'declaredBy' | 'sentTo'>): string | undefined {
  if (approval.declaredBy === undefined) return approval.decidedBy === undefined ? undefined : printable(approval.decidedBy);
  return `'${declaredName(approval.declaredBy)}' (declared) through the link sent to ${sentToWords(approval.sentTo)}`;
}

/** Where a link was sent: a request recorded before recipients were kept, or whose send was not recorded, says it does not know. */
export function sentToWords(sentTo: readonly string[] | undefined): string {
  if (sentTo === undefined) return UNKNOWN_RECIPIENTS;
  if (sentTo.length === 0) return 'no confirmed subscriber';
  return commaList(sentTo.map(printable));
}
