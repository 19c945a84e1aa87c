import type { SecurityEvent } from '#core/model/event';
import type { Fact } from '#core/model/graph';
import { auditFacts } from './audit-facts.ts';
import { cloudTrailFacts } from './cloudtrail-facts.ts';
import { guardDutyFacts } from './guardduty-facts.ts';
import { imageFacts } from './image-facts.ts';
import { secretFacts } from './secret-facts.ts';

export { applyFact, newNode, pruneNode } from './merge.ts';

/** The link stage: what an event adds to the identity graph. */
export function factsFor(event: SecurityEvent): Fact[] {
  switch (event.source) {
    case 'eks-audit':
      return auditFacts(event);
    case 'cloudtrail':
      return [...cloudTrailFacts(event), ...secretFacts(event)];
    case 'guardduty':
      return guardDutyFacts(event);
    case 'inspector':
      return imageFacts(event);
  }
}
