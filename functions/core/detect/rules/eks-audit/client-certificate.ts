import { defineRule } from '../../rule.ts';
import { isSystemActor, sanitize } from '../../actors.ts';
import { asArray, asObject, str } from '#core/model/json';
import { auditSubject, describeActor, isServiceAccount, wasAllowed } from './subject.ts';

/** The signer whose certificates authenticate to the API server as whoever the request names. */
const CLIENT_SIGNER = 'kubernetes.io/kube-apiserver-client';

export const clientCertificate = defineRule<'eks-audit'>({
  id: 'eks-audit.client-certificate',
  title: 'Client certificate requested or approved for the API server',
  description:
    'A certificate from the kube-apiserver-client signer is a credential nobody can revoke before it expires; nodes bootstrap with their own signers, people and workloads have no reason to mint one.',
  source: 'eks-audit',
  objective: { tactic: 'Persistence (TA0003)', technique: 'T1098 Account Manipulation' },
  severity: 'medium',
  canMatch: (resource) => resource === 'certificatesigningrequests',
  match(event) {
    const ref = event.objectRef;
    if (ref?.resource !== 'certificatesigningrequests' || !wasAllowed(event) || event.stage === 'RequestReceived') return undefined;
    // The stored object, when logged, over the client's body: an approver may send any spec it likes, the server keeps its own.
    const request = asObject(event.responseObject) ?? asObject(event.requestObject);
    const spec = asObject(request?.spec);
    const signer = str(spec?.signerName);
    const name = sanitize(ref.name ?? str(asObject(request?.metadata)?.name));
    if (event.verb === 'create' && !ref.subresource) {
      if (signer !== CLIENT_SIGNER || isSystemActor(event.username)) return undefined;
      return {
        summary: `${describeActor(event)} requested client certificate ${name} from ${CLIENT_SIGNER}`,
        subject: auditSubject(event),
        severity: isServiceAccount(event.username) ? 'high' : 'medium',
      };
    }
    if (ref.subresource !== 'approval' || !['update', 'patch'].includes(event.verb)) return undefined;
    // Logged without its body (a Metadata-level policy), an approval or denial of an unknown signer: worth a look unless the cluster decided it.
    if (!request) {
      return isSystemActor(event.username)
        ? undefined
        : { summary: `${describeActor(event)} approved or denied certificate request ${name} (body not recorded)`, subject: auditSubject(event) };
    }
    const approved = asArray(asObject(request.status)?.conditions).some((condition) => condition.type === 'Approved' && condition.status !== 'False');
    if (!approved) return undefined;
    if (signer !== CLIENT_SIGNER) return undefined;
    const requester = str(spec?.username);
    const selfApproved = requester !== undefined && requester === event.username;
    return {
      summary:
        `${describeActor(event)} approved client certificate ${name} from ${CLIENT_SIGNER}` +
        (selfApproved ? ', which it had requested itself' : requester ? ` requested by ${sanitize(requester, 80)}` : ''),
      subject: auditSubject(event),
      severity: selfApproved ? 'critical' : 'high',
    };
  },
});
