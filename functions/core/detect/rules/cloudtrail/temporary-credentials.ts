import { defineRule } from '../../rule.ts';
import { sanitize } from '../../actors.ts';
import { str } from '#core/model/json';
import { callName, cloudTrailSubject, describeCaller } from './subject.ts';

const MINTING_CALLS = ['sts.amazonaws.com:GetFederationToken', 'sts.amazonaws.com:GetSessionToken'];

/**
 * An IAM user's long-term key turned into session credentials of its own. GetFederationToken
 * survives the key's deactivation for up to 36 hours and carries any policy the caller passes,
 * the persistence Stratus Red Team's `sts-federation-token` plays; GetSessionToken is how people
 * add MFA, so it is context unless it leads back to a workload's credentials, which correlation
 * decides (the key's lineage in the identity graph).
 */
export const temporaryCredentialsMinted = defineRule<'cloudtrail'>({
  id: 'cloudtrail.temporary-credentials-minted',
  title: 'Temporary credentials minted from an access key',
  description:
    'GetFederationToken or GetSessionToken gave a key holder credentials that outlive the key (federation tokens up to 36 hours, with any policy the caller passes).',
  source: 'cloudtrail',
  objective: { tactic: 'Persistence (TA0003)', technique: 'T1550.001 Use Alternate Authentication Material' },
  severity: 'medium',
  watches: { calls: MINTING_CALLS },
  canMatch: (call) => MINTING_CALLS.includes(call),
  match(event) {
    if (event.eventSource !== 'sts.amazonaws.com' || event.errorCode) return undefined;
    // Only a long-term key mints these: STS refuses both to role sessions, so a role's record says nothing was minted.
    if (event.identity.type !== 'IAMUser' && event.identity.type !== 'Root') return undefined;
    if (event.eventName !== 'GetFederationToken' && event.eventName !== 'GetSessionToken') return undefined;
    const federated = event.eventName === 'GetFederationToken';
    const name = federated ? sanitize(str(event.requestParameters?.name) ?? '', 64) : '';
    return {
      summary: `${describeCaller(event)} called ${callName(event)}${name ? ` for federated user ${name}` : ''}`,
      subject: cloudTrailSubject(event),
      ...(federated ? {} : { severity: 'low' as const }),
    };
  },
});
