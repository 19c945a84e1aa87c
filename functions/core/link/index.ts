import type { SecurityEvent } from '#core/model/event';
import type { Fact } from '#core/model/graph';
import { type ClusterScope, UNSCOPED } from '#core/model/cluster-id';
import { auditFacts } from './audit-facts.ts';
import { cloudTrailFacts } from './cloudtrail-facts.ts';
import { guardDutyFacts } from './guardduty-facts.ts';
import { imageFacts } from './image-facts.ts';
import { secretFacts } from './secret-facts.ts';

export { applyFact, newNode, pruneNode } from './merge.ts';

/**
 * The link stage: what an event adds to the identity graph. `clusters` names the clusters a
 * CloudTrail record names inside it (EKS Pod Identity's session tags); audit records and findings
 * come with their clusters already named (model/cluster-id.ts).
 */
export function factsFor(event: SecurityEvent, clusters: Pick<ClusterScope, 'idOf'> = UNSCOPED): Fact[] {
  switch (event.source) {
    case 'eks-audit':
      return auditFacts(event);
    case 'cloudtrail':
      return [...cloudTrailFacts(event, clusters), ...secretFacts(event)];
    case 'guardduty':
      return guardDutyFacts(event);
    case 'inspector':
      return imageFacts(event);
  }
}
