import { defineRule } from '../../rule.ts';
import { sanitize } from '../../actors.ts';
import { inAnyRange, isPublicAddress } from '#core/model/address';
import { auditSubject, wasAllowed } from './subject.ts';

const LOOPBACK = ['127.0.0.0/8', '::1'];
// Probes that clusters answer anonymously by design.
const HEALTH_PATHS = /^\/(healthz|livez|readyz|version)(\/|$|\?)/;

export const anonymousAccess = defineRule<'eks-audit'>({
  id: 'eks-audit.anonymous-access',
  title: 'Anonymous request allowed by the API server',
  description: 'Nothing but health and version probes is answered for system:anonymous; anything else means RBAC grants the world access.',
  source: 'eks-audit',
  objective: { tactic: 'Initial Access (TA0001)', technique: 'T1078.001 Valid Accounts: Default Accounts' },
  severity: 'medium',
  match(event) {
    const anonymous = event.username === 'system:anonymous' || event.groups.includes('system:unauthenticated');
    const from = event.sourceIps[0];
    // EKS runs the API server: a loopback source is the control plane probing itself, which no one else can be.
    if (!anonymous || (from !== undefined && inAnyRange(from, LOOPBACK))) return undefined;
    const fromInternet = from !== undefined && isPublicAddress(from);
    const target = event.requestUri ? sanitize(event.requestUri, 100) : (event.objectRef?.resource ?? 'the API');
    const granted = wasAllowed(event) && !HEALTH_PATHS.test(event.requestUri ?? '');
    const verb = sanitize(event.verb) || 'request';
    // Scanners probing a public endpoint are context: the endpoint is exposed, nothing was granted.
    if (!granted) {
      return fromInternet
        ? {
            summary: `anonymous ${verb} of ${target} from ${from} (${wasAllowed(event) ? 'public probe' : 'denied'})`,
            subject: auditSubject(event),
            severity: 'low',
          }
        : undefined;
    }
    return {
      summary: `anonymous ${verb} of ${target} allowed${from ? ` from ${from}` : ''}`,
      subject: auditSubject(event),
      severity: fromInternet ? 'high' : 'medium',
    };
  },
});
