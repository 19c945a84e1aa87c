import { defineRule } from '../../rule.ts';
import { sanitize } from '../../actors.ts';
import { textOf } from '#core/model/json';
import { callName, cloudTrailSubject, describeCaller, outcome, showsIntent } from './subject.ts';

/** The calls that return a secret value or, with decryption, a SecureString parameter. */
export const SECRET_READS = [
  'secretsmanager.amazonaws.com:GetSecretValue',
  'secretsmanager.amazonaws.com:BatchGetSecretValue',
  'ssm.amazonaws.com:GetParameter',
  'ssm.amazonaws.com:GetParameters',
  'ssm.amazonaws.com:GetParametersByPath',
];

export const cloudSecretRead = defineRule<'cloudtrail'>({
  id: 'cloudtrail.secret-read',
  title: 'Secret or decrypted parameter read',
  description: 'Reading Secrets Manager secrets or SecureString parameters turns one identity into many.',
  source: 'cloudtrail',
  objective: { tactic: 'Credential Access (TA0006)', technique: 'T1555.006 Cloud Secrets Management Stores' },
  // Applications read their own secrets all day: on its own this is context, not an alert.
  severity: 'low',
  watches: { calls: SECRET_READS },
  canMatch: (call) => SECRET_READS.includes(call),
  match(event) {
    if (!showsIntent(event)) return undefined;
    const parameters = event.requestParameters ?? {};
    let target: string | undefined;
    if (event.eventSource === 'secretsmanager.amazonaws.com') {
      if (event.eventName === 'GetSecretValue') target = textOf(parameters.secretId ?? '');
      else if (event.eventName === 'BatchGetSecretValue') target = 'a batch of secrets';
    } else if (event.eventSource === 'ssm.amazonaws.com' && parameters.withDecryption === true) {
      if (event.eventName === 'GetParameter') target = textOf(parameters.name ?? '');
      else if (event.eventName === 'GetParameters')
        target = [parameters.names]
          .flat()
          .map((name) => textOf(name ?? ''))
          .join(', ');
      else if (event.eventName === 'GetParametersByPath') target = `path ${textOf(parameters.path ?? '')}`;
    }
    if (target === undefined) return undefined;
    return {
      summary: `${describeCaller(event)} called ${callName(event)} for ${sanitize(target, 100)}${outcome(event)}`,
      subject: cloudTrailSubject(event),
    };
  },
});
