import { defineRule } from '../../rule.ts';
import { sanitize } from '../../actors.ts';
import { asArray, asObject, str } from '#core/model/json';
import { summarizePodSpec } from '#core/model/k8s-objects';
import { auditSubject, describeActor, isServiceAccount, wasAllowed } from './subject.ts';

export const ephemeralContainer = defineRule<'eks-audit'>({
  id: 'eks-audit.ephemeral-container',
  title: 'Debug container added to a running pod',
  description: 'An ephemeral container (kubectl debug) runs any image inside a running pod, beside its secrets and token; a workload identity never needs one.',
  source: 'eks-audit',
  objective: { tactic: 'Execution (TA0002)', technique: 'T1609 Container Administration Command' },
  severity: 'medium',
  canMatch: (resource) => resource === 'pods',
  match(event) {
    const ref = event.objectRef;
    if (ref?.resource !== 'pods' || ref.subresource !== 'ephemeralcontainers' || !ref.name) return undefined;
    if (!['update', 'patch'].includes(event.verb) || !wasAllowed(event) || event.stage === 'RequestReceived') return undefined;
    // A strategic merge patch (kubectl debug) names the container added; any other body (a JSON patch) is
    // judged by the stored pod's ephemeral containers, all of them.
    const requested = asArray(asObject(asObject(event.requestObject)?.spec)?.ephemeralContainers);
    const added = requested.length > 0 ? requested : asArray(asObject(asObject(event.responseObject)?.spec)?.ephemeralContainers);
    const images = added.map((container) => str(container.image)).filter((image): image is string => image !== undefined);
    const privileged = summarizePodSpec({ ephemeralContainers: added }).privileged;
    const what = `${images.length > 0 ? ` running ${sanitize(images.join(', '), 100)}` : ''}${privileged ? ' (privileged)' : ''}`;
    // A person debugging is routine enough in most clusters to be medium; a workload doing it is an attacker's move.
    const byWorkload = isServiceAccount(event.username);
    return {
      summary: `${describeActor(event)} added a debug container to pod ${ref.namespace}/${sanitize(ref.name)}${what}`,
      subject: { ...auditSubject(event, ref.name), image: images[0] },
      severity: byWorkload ? (privileged ? 'critical' : 'high') : 'medium',
    };
  },
});
