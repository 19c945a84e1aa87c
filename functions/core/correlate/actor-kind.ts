import type { Signal } from '#core/model/signal';
import { isSystemActor, sanitize } from '#core/detect/actors';

export type ActorKind = 'person' | 'controller' | 'workload' | 'anonymous' | 'unknown';

const PERSON_ARN = /:root$|:user\/|:assumed-role\/AWSReservedSSO_|:federated-user\//;

/**
 * Who acted in a signal: a person (kubectl user, IAM user, SSO session), the cluster's own
 * controllers and nodes, a workload (a pod's service account or cloud credentials), or nobody.
 */
export function actorKindOf(signal: Signal, viaWorkloadCredentials: boolean): { kind: ActorKind; name?: string } {
  const actor = signal.subject.actor;
  const name = actor ? sanitize(actor, 80) : undefined;
  if (signal.source === 'guardduty' && signal.subject.process) return { kind: 'workload', name };
  if (!actor) return { kind: 'unknown' };
  if (signal.source === 'eks-audit') {
    if (actor === 'system:anonymous') return { kind: 'anonymous', name };
    if (isSystemActor(actor)) return { kind: 'controller', name };
    return { kind: actor.startsWith('system:serviceaccount:') ? 'workload' : 'person', name };
  }
  if (viaWorkloadCredentials) return { kind: 'workload', name };
  return { kind: PERSON_ARN.test(actor) ? 'person' : 'unknown', name };
}
