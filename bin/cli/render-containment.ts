import { incidentView } from '#core/view/incident-view';
import { plural } from '#core/view/words';
import type { LocalContainmentResult } from '#adapters/local/local-containment';
import type { Printable } from './terminal.ts';

/** What the local containment run did, step by step, and how to read or reverse it. */
export function renderContainment(results: readonly LocalContainmentResult[], progress: readonly string[], containFrom: string): Printable[] {
  const lines: Printable[] = [
    '',
    `Containment (local stand-ins: a Kubernetes API on 127.0.0.1, an IAM account, an evidence directory; incidents at ${containFrom} or above)`,
  ];
  if (results.length === 0) lines.push('  no incident was severe enough to contain');
  for (const line of progress) lines.push({ text: `  ${line}`, hang: 4 });
  for (const { incident, response, execution, firstContainmentMs, policies } of results) {
    const view = incidentView(incident, response);
    lines.push('', `  ${view.id}: ${view.status.code}`);
    if (!execution) continue;
    if (firstContainmentMs !== undefined)
      lines.push(
        `    first containment step done ${Math.round(firstContainmentMs)} ms after the workflow started (measured on this machine, no AWS propagation)`,
      );
    const approval = view.response?.approval;
    if (approval)
      lines.push(
        `    approval: ${approval.decision ?? 'pending'}${approval.decidedBy ? ` by ${approval.decidedBy}` : ''} for ${approval.proposed.map((step) => step.action.code).join(', ')}`,
      );
    for (const [role, named] of Object.entries(policies)) {
      for (const [name, document] of Object.entries(named)) {
        lines.push(
          `    deny policy ${name} on role ${role}:`,
          ...JSON.stringify(document, null, 2)
            .split('\n')
            .map((line) => ({ text: `      ${line}`, verbatim: true })),
        );
      }
    }
    const reversible = view.response?.undoable.reduce((count, { targets }) => count + targets.length, 0) ?? 0;
    if (reversible > 0) lines.push(`    ${plural(reversible, 'step')} can be undone; on a deployed stack: npx pivotguard undo ${view.id}`);
  }
  return lines;
}
