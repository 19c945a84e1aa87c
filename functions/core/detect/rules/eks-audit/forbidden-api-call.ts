import { defineRule } from '../../rule.ts';
import { isSystemActor, sanitize } from '../../actors.ts';
import { isPublicAddress } from '#core/model/address';
import type { Severity } from '#core/model/signal';
import type { AuditEvent } from '#core/model/event';
import { auditSubject, describeActor, isServiceAccount, wasForbidden } from './subject.ts';

export const forbiddenApiCall = defineRule<'eks-audit'>({
  id: 'eks-audit.forbidden-api-call',
  title: 'Request refused by the API server',
  description:
    'A workload identity refused is trying what its workload never needs; a cluster identity refused from the internet is a token that left the cluster; a person refused a secret is looking for credentials.',
  source: 'eks-audit',
  objective: { tactic: 'Discovery (TA0007)', technique: 'T1613 Container and Resource Discovery' },
  severity: 'low',
  match(event) {
    if (!wasForbidden(event)) return undefined;
    const severity = severityOf(event);
    if (!severity) return undefined;
    const ref = event.objectRef;
    const target = ref?.resource
      ? `${ref.resource}${ref.namespace ? ` in ${ref.namespace}` : ' cluster-wide'}${ref.name ? ` (${sanitize(ref.name)})` : ''}`
      : sanitize(event.requestUri);
    return { summary: `${describeActor(event)} was forbidden to ${sanitize(event.verb) || 'call'} ${target}`, subject: auditSubject(event), severity };
  },
});

/** How much a refusal says, by who was refused, from where and for what; undefined when it says nothing. */
function severityOf(event: AuditEvent): Severity | undefined {
  const from = event.sourceIps[0];
  // Service accounts, nodes and controllers call from inside the VPC: refused or not, their token is being used elsewhere.
  // (eks:* are EKS's managed components, which call from AWS's public addresses.)
  const anonymous = event.username === 'system:anonymous' || event.username === 'system:unauthenticated' || event.groups.includes('system:unauthenticated');
  const clusterIdentity = event.username.startsWith('system:') && !anonymous;
  if (clusterIdentity && from !== undefined && isPublicAddress(from)) return 'high';
  // The cluster's own components hit 403s while their permissions catch up at start-up.
  if (isServiceAccount(event.username)) return isSystemActor(event.username) ? undefined : 'low';
  // Dashboards (k9s, Lens) list every kind for whoever runs them; a get names the secret wanted.
  const person = event.username !== '' && !event.username.startsWith('system:') && !event.username.startsWith('eks:');
  const namedSecret = event.objectRef?.resource === 'secrets' && event.verb === 'get' && event.objectRef.name !== undefined;
  return person && namedSecret ? 'low' : undefined;
}
