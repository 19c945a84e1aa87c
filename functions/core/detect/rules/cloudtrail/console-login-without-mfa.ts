import { defineRule } from '../../rule.ts';
import { cloudTrailSubject, describeCaller } from './subject.ts';

export const consoleLoginWithoutMfa = defineRule<'cloudtrail'>({
  id: 'cloudtrail.console-login-without-mfa',
  title: 'Console sign-in without MFA',
  description: 'An IAM user or the root user signing in with a password alone: a stolen or guessed password is all it takes.',
  source: 'cloudtrail',
  objective: { tactic: 'Initial Access (TA0001)', technique: 'T1078.004 Valid Accounts: Cloud Accounts' },
  severity: 'medium',
  watches: { calls: ['signin.amazonaws.com:ConsoleLogin'] },
  // The match reads the name alone, whatever service wrote it.
  canMatch: (call) => call.endsWith(':ConsoleLogin'),
  match(event) {
    if (event.eventName !== 'ConsoleLogin' || event.responseElements?.ConsoleLogin !== 'Success') return undefined;
    // Federated and SSO sign-ins arrive as AssumedRole: their MFA happened at the identity provider.
    if (event.identity.type !== 'IAMUser' && event.identity.type !== 'Root') return undefined;
    // A SAML sign-in to an IAM user also had its MFA at the identity provider.
    if (event.additionalEventData?.MFAUsed !== 'No' || event.additionalEventData.SamlProviderArn) return undefined;
    return { summary: `${describeCaller(event)} signed in to the console without MFA`, subject: cloudTrailSubject(event) };
  },
});
