import type { CloudTrailEvent } from '#core/model/event';
import type { Fact } from '#core/model/graph';
import { parseRoleArn } from '#core/model/arn';
import { str } from '#core/model/json';
import type { CloudTrailWatch } from '#core/detect/rule';

/**
 * The secrets each role has read, as edges `secret|<service>:<name>` with first-seen times, on a
 * node of their own per role (`secrets|<account>|<role>`) so that a role's addresses and APIs
 * never crowd its secrets out of the capped edge list, nor the other way round. The node keeps
 * its first 500 secrets (EDGE_CAPS): far more than an application reads, and far below a store
 * item's size even with long names.
 */
export const secretKey = {
  baseline: (accountId: string, roleName: string) => `secrets|${accountId}|${roleName}`,
  secret: (id: string) => `secret|${id}`,
};

/** The calls secretFacts learns from, for the identity graph's declaration of what it reads (CLOUDTRAIL_FACTS_WATCH). */
export const SECRET_FACTS_WATCH: CloudTrailWatch = {
  calls: [
    'secretsmanager.amazonaws.com:GetSecretValue',
    'secretsmanager.amazonaws.com:BatchGetSecretValue',
    'ssm.amazonaws.com:GetParameter',
    'ssm.amazonaws.com:GetParameters',
    'ssm.amazonaws.com:GetParametersByPath',
  ],
};

/** Record text: a name longer than any real secret's (Secrets Manager: 512) is cut, not stored whole. */
const MAX_SECRET_ID_CHARS = 512;
/** Secrets Manager ends a secret's ARN with a hyphen and six random characters its name lacks. */
const SECRET_ARN = /^arn:aws[\w-]*:secretsmanager:[^:]*:\d{12}:secret:(.+?)(?:-[A-Za-z0-9]{6})?$/;
const PARAMETER_ARN = /^arn:aws[\w-]*:ssm:[^:]*:\d{12}:parameter\/(.+)$/;

/** A successful read of secret values by a role's session teaches the role's secrets baseline. */
export function secretFacts(event: CloudTrailEvent): Fact[] {
  if (event.errorCode || event.identity.invokedBy) return [];
  const role = event.identity.roleArn ? parseRoleArn(event.identity.roleArn) : undefined;
  if (!role) return [];
  const ids = secretIdsOf(event);
  if (ids.length === 0) return [];
  return [{ key: secretKey.baseline(role.accountId, role.roleName), time: event.time, eventId: event.eventId, edges: ids.map(secretKey.secret) }];
}

/**
 * The secrets a call returns values of, as `secretsmanager:<name>` or `ssm:<name>`: a secret named
 * by ARN loses its random suffix, a parameter its leading slash, so every spelling of one secret
 * is one id. Parameters count only when decrypted; a path read counts as the path (`ssm:<path>/*`).
 */
export function secretIdsOf(event: CloudTrailEvent): string[] {
  const parameters = event.requestParameters ?? {};
  const ids: string[] = [];
  if (event.eventSource === 'secretsmanager.amazonaws.com') {
    if (event.eventName === 'GetSecretValue') ids.push(...secretNames([parameters.secretId]));
    // A batch by filter names no secret; Secrets Manager logs a GetSecretValue for each secret it returns.
    else if (event.eventName === 'BatchGetSecretValue') ids.push(...secretNames([parameters.secretIdList].flat()));
    return ids.map((name) => `secretsmanager:${name}`);
  }
  if (event.eventSource !== 'ssm.amazonaws.com' || parameters.withDecryption !== true) return ids;
  if (event.eventName === 'GetParameter') ids.push(...parameterNames([parameters.name]));
  else if (event.eventName === 'GetParameters') ids.push(...parameterNames([parameters.names].flat()));
  else if (event.eventName === 'GetParametersByPath') ids.push(...parameterNames([parameters.path]).map((path) => `${path.replace(/\/+$/, '')}/*`));
  return ids.map((name) => `ssm:${name}`);
}

function secretNames(values: unknown[]): string[] {
  return names(values, (value) => SECRET_ARN.exec(value)?.[1] ?? value);
}

function parameterNames(values: unknown[]): string[] {
  // A parameter named by ARN drops its leading slash; `:3` selects a version or label of the same parameter.
  return names(values, (value) => (PARAMETER_ARN.exec(value)?.[1] ?? value).replace(/^\/+/, '').replace(/:[^:/]*$/, ''));
}

function names(values: unknown[], normalize: (value: string) => string): string[] {
  const found = new Set<string>();
  for (const value of values) {
    const text = str(value);
    if (!text) continue;
    const name = normalize(text).slice(0, MAX_SECRET_ID_CHARS);
    if (name) found.add(name);
  }
  return [...found];
}
