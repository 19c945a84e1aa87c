import { describe, expect, it } from 'vitest';
import { ACTION_WORDS, formatDateTime } from '#core/report/format';
import { incidentNarrative } from '#core/report/narrative';
import { incidentView } from '#core/view/incident-view';
import { NOTHING } from '#core/view/words';
import { NARRATIVE_CASES, OPENED, approval, pivot } from './narrative-cases.ts';

// The wording itself is in test/view/__golden__/narrative-*.txt; these tests check which facts each paragraph tells.
const told = (name: keyof typeof NARRATIVE_CASES) => {
  const { incident, response } = NARRATIVE_CASES[name]!;
  return incidentNarrative(incident, response);
};

function expectToTell(text: string, facts: readonly string[]): void {
  for (const fact of facts) expect(text).toContain(fact);
}

describe('incidentNarrative', () => {
  it('says what happened in plain words, without rule ids', () => {
    const narrative = told('opened, nothing done');
    const view = incidentView(pivot);
    expect(narrative.headline).toBe(view.headline);
    expectToTell(narrative.happened, [
      view.risk.severity,
      view.risk.confidenceText,
      ...view.sources.map((source) => source.label),
      view.where.cluster!,
      formatDateTime(view.seen.from),
      ...view.objectives.map((objective) => objective.tacticName.toLowerCase()),
    ]);
    for (const { rule } of pivot.signals) expect(Object.values(narrative).join(' ')).not.toContain(rule);
  });

  it('says what was at risk: the role’s permissions and the pods sharing its service account or image', () => {
    const radius = incidentView(pivot).risk.blastRadius;
    expectToTell(told('not handled').atRisk, [
      radius.roles[0]!.roleName,
      ...radius.roles[0]!.policies,
      ...radius.sameServiceAccountPods,
      ...radius.sameImagePods,
    ]);
    expect(told('nothing at risk').atRisk).toBe(NOTHING.reach);
  });

  it('says what was done and who approved, and that nothing is left once resolved', () => {
    const narrative = told('resolved after an approval, one step failed');
    const applied = (['capture-evidence', 'isolate-pod', 'revoke-role-sessions', 'restart-pod'] as const).map((action) => ACTION_WORDS[action].done);
    expectToTell(narrative.done, [
      ...applied,
      ACTION_WORDS['scale-down'].todo,
      'the deployment is managed by Argo CD',
      'alice@example.com',
      'approved',
      formatDateTime('2026-11-21T02:40:00Z'),
    ]);
    expect(narrative.done).not.toContain(ACTION_WORDS['scale-down'].done);
    expectToTell(narrative.left, ['bob@example.com', formatDateTime('2026-11-22T09:00:00Z'), 'image rebuilt and credentials rotated']);
    expect(narrative.left).not.toContain('rotated.)');
  });

  it('says what is left while contained: the pending approval and an isolation someone undid', () => {
    const narrative = told('contained, waiting for approval, isolation undone');
    const waiting = approval();
    expectToTell(narrative.done, [
      formatDateTime(waiting.requestedAt),
      ACTION_WORDS['restart-pod'].todo,
      'carol@example.com',
      ACTION_WORDS['isolate-pod'].noun.toLowerCase(),
    ]);
    expectToTell(narrative.left, [
      formatDateTime('2026-11-21T02:15:00Z'),
      formatDateTime(waiting.expiresAt),
      ACTION_WORDS['scale-down'].todo,
      ACTION_WORDS['isolate-pod'].noun.toLowerCase(),
    ]);
  });

  it('names who dismissed a false positive, why, and the suppression still waiting for acceptance', () => {
    const narrative = told('dismissed, suppression proposed');
    expectToTell(narrative.done, ['alice@example.com', 'rejected', ACTION_WORDS['restart-pod'].todo]);
    expectToTell(narrative.left, ['dave@example.com', formatDateTime('2026-11-21T03:10:00Z'), 'red-team exercise', formatDateTime('2026-12-21T03:10:00Z')]);
  });

  it('says so when nothing was done and nobody has handled the incident, and when it opened', () => {
    const untouched = told('opened, nothing done');
    for (const words of Object.values(ACTION_WORDS)) expect(untouched.done).not.toContain(words.done);
    expect(untouched.left).toContain(formatDateTime(OPENED));
    const unhandled = told('not handled');
    expect(unhandled.done).not.toBe(untouched.done);
    expect(unhandled.left).not.toContain(formatDateTime(OPENED));
  });

  it('tells a dry run apart from a change', () => {
    const dry = told('dry run').done;
    expectToTell(dry, ['dry-run', ACTION_WORDS['isolate-pod'].done]);
    expect(dry.startsWith('pivotguard')).toBe(false);
  });
});
