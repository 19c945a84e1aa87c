import { defineRule } from '../../rule.ts';
import { isSystemActor, sanitize } from '../../actors.ts';
import { parseServiceAccountUser } from '#core/model/arn';
import { auditSubject, describeActor, wasAllowed } from './subject.ts';

export const secretsAccess = defineRule<'eks-audit'>({
  id: 'eks-audit.secrets-access',
  title: 'Kubernetes secrets read or listed',
  description: 'Listing secrets, or reading them across namespaces, is how a foothold becomes credentials.',
  source: 'eks-audit',
  objective: { tactic: 'Credential Access (TA0006)', technique: 'T1552.007 Container API' },
  severity: 'medium',
  canMatch: (resource) => resource === 'secrets',
  match(event) {
    const ref = event.objectRef;
    if (ref?.resource !== 'secrets' || ref.subresource || !wasAllowed(event) || isSystemActor(event.username)) return undefined;
    if (event.verb === 'list' || event.verb === 'watch') {
      const scope = ref.namespace ? `in namespace ${ref.namespace}` : 'across all namespaces';
      return {
        summary: `${describeActor(event)} listed secrets ${scope}`,
        subject: auditSubject(event),
        severity: ref.namespace ? 'medium' : 'high',
      };
    }
    if (event.verb !== 'get' || !ref.name) return undefined;
    // A workload reads its own namespace's secrets; one reading another namespace's is reaching past its team.
    const ownNamespace = parseServiceAccountUser(event.username)?.namespace;
    const crossNamespace = ownNamespace !== undefined && ref.namespace !== undefined && ownNamespace !== ref.namespace;
    return {
      summary: `${describeActor(event)} read secret ${ref.namespace}/${sanitize(ref.name)}${crossNamespace ? ` of another namespace than its own (${ownNamespace})` : ''}`,
      subject: auditSubject(event),
      severity: crossNamespace ? 'medium' : 'low',
    };
  },
});
