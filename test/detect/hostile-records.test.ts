import { describe, expect, it } from 'vitest';
import { detect } from '#core/detect/index';
import { decodePercentEscapes } from '#core/detect/actors';
import { MAX_SUMMARY_CHARS, RuleFailed } from '#core/detect/rule';
import { auditRules } from '#core/detect/rules/index';
import type { AuditEvent } from '#core/model/event';
import { MAX_JSON_DEPTH } from '#core/model/json';
import { auditEvent, cloudTrailRecord } from '../fixtures/records.ts';
import { detectAll, normalized, signalsOf } from './detect-helpers.ts';

type Json = Record<string, unknown>;

const admin = { username: 'dev-alice', groups: ['system:authenticated'] };
/** An object whose `toString` and `valueOf` are not functions: String() and Number() throw on it. */
const trap = JSON.parse('{"toString": 1, "valueOf": 2}') as Json;

const execWith = (query: string) =>
  auditEvent({
    verb: 'create',
    requestURI: `/api/v1/namespaces/payments/pods/checkout-1/exec?${query}`,
    user: admin,
    objectRef: { resource: 'pods', subresource: 'exec', namespace: 'payments', name: 'checkout-1', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 101 },
  });

describe('decodePercentEscapes', () => {
  it('decodes what decodeURIComponent decodes', () => {
    expect(decodePercentEscapes('%2Fbin%2Fsh%20-c%20caf%C3%A9%F0%9F%90%9A')).toBe(decodeURIComponent('%2Fbin%2Fsh%20-c%20caf%C3%A9%F0%9F%90%9A'));
  });

  it('leaves every sequence that is not UTF-8 as written, and never throws', () => {
    expect(() => decodeURIComponent('%FF')).toThrow(URIError);
    expect(decodePercentEscapes('%FF')).toBe('%FF');
    expect(decodePercentEscapes('a%2')).toBe('a%2');
    expect(decodePercentEscapes('%C0%AF%ED%A0%80x%20y')).toBe('%C0%AF%ED%A0%80x y');
    expect(decodePercentEscapes('%E2%82%C3%A9')).toBe('%E2%82é');
  });
});

describe('rules on records built to make them throw', () => {
  it('exec-into-pod still fires on a command that is not UTF-8, quoting it as written', () => {
    const [signal] = signalsOf('eks-audit.exec-into-pod', execWith('command=%FF%2Fbin%2Fsh&container=app'));
    expect(signal!.summary).toMatch(/running %FF\/bin\/sh$/);
  });

  it('risky-role reads verbs and resources that are not lists as naming none', () => {
    const role = (rules: unknown[]) =>
      auditEvent({
        verb: 'create',
        user: admin,
        objectRef: { resource: 'clusterroles', name: 'r', apiVersion: 'v1' },
        responseStatus: { metadata: {}, code: 201 },
        requestObject: { kind: 'ClusterRole', rules },
      });
    expect(signalsOf('eks-audit.risky-role', role([{ verbs: '*', resources: { pods: true } }]))).toEqual([]);
    expect(signalsOf('eks-audit.risky-role', role([{ verbs: [trap, '*'], resources: ['pods'] }]))[0]?.summary).toMatch(/granting wildcard/);
  });

  it('secret-read, iam-change and public-exposure quote parameters whose String() would throw', () => {
    const secret = cloudTrailRecord({ eventSource: 'secretsmanager.amazonaws.com', eventName: 'GetSecretValue', requestParameters: { secretId: trap } });
    expect(signalsOf('cloudtrail.secret-read', secret)[0]?.summary).toMatch(/for \[object Object\]$/);
    const parameters = cloudTrailRecord({
      eventSource: 'ssm.amazonaws.com',
      eventName: 'GetParameters',
      requestParameters: { withDecryption: true, names: ['a', trap, null] },
    });
    expect(signalsOf('cloudtrail.secret-read', parameters)[0]?.summary).toMatch(/for a, \[object Object\], $/);
    const user = cloudTrailRecord({ eventSource: 'iam.amazonaws.com', eventName: 'CreateUser', requestParameters: { userName: trap } });
    expect(signalsOf('cloudtrail.iam-privilege-change', user)[0]?.summary).toMatch(/on \[object Object\]$/);
    const snapshot = cloudTrailRecord({
      eventSource: 'rds.amazonaws.com',
      eventName: 'ModifyDBSnapshotAttribute',
      requestParameters: { valuesToAdd: [trap, 'all'] },
    });
    expect(signalsOf('cloudtrail.public-exposure', snapshot)[0]?.summary).toMatch(/RDS snapshot made public$/);
  });

  it('expensive-launch counts a launch of 300,000 items without spreading them into a call', () => {
    const items = Array.from({ length: 300_000 }, () => ({ minCount: 1 }));
    items.push({ minCount: trap as unknown as number }, { minCount: 40 });
    const launch = cloudTrailRecord({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      requestParameters: { instanceType: 't3.micro', instancesSet: { items } },
    });
    expect(signalsOf('cloudtrail.expensive-launch', launch)[0]?.summary).toMatch(/launched NaN × t3\.micro$/);
    const many = cloudTrailRecord({
      eventSource: 'ec2.amazonaws.com',
      eventName: 'RunInstances',
      requestParameters: { instanceType: 't3.micro', instancesSet: { items: [{ minCount: 1 }, { minCount: 40 }] } },
    });
    expect(signalsOf('cloudtrail.expensive-launch', many)[0]?.summary).toMatch(/launched 40 × t3\.micro$/);
  });

  it('public-exposure reads a policy document nested past the bound by its text, without walking it', () => {
    const deepPrincipal = `{"Statement":[{"Effect":"Allow","Principal":{"AWS":${'['.repeat(50_000)}"*"${']'.repeat(50_000)}}}]}`;
    const policy = (text: string) =>
      cloudTrailRecord({ eventSource: 'kms.amazonaws.com', eventName: 'PutKeyPolicy', requestParameters: { keyId: 'k', policy: text } });
    expect(signalsOf('cloudtrail.public-exposure', policy(deepPrincipal))).toEqual([]);
    const deepButNamed = `{"Statement":[{"Effect":"Allow","Principal":"*","Condition":${'{"a":'.repeat(MAX_JSON_DEPTH)}1${'}'.repeat(MAX_JSON_DEPTH)}}]}`;
    expect(signalsOf('cloudtrail.public-exposure', policy(deepButNamed))[0]?.summary).toMatch(/KMS key policy allows anyone$/);
  });

  it('keep every summary within MAX_SUMMARY_CHARS, however long the names it quotes', () => {
    const huge = 'n'.repeat(200_000);
    const signals = detectAll(
      cloudTrailRecord({
        eventSource: 'iam.amazonaws.com',
        eventName: 'CreateUser',
        eventTime: '2026-11-21T02:29:01Z',
        errorCode: undefined,
        sourceIPAddress: huge,
        requestParameters: { userName: 'u' },
      }),
    );
    expect(signals.length).toBeGreaterThan(0);
    for (const signal of signals) expect(signal.summary.length).toBeLessThanOrEqual(MAX_SUMMARY_CHARS);
  });
});

describe('detect', () => {
  it('names the rule that threw, so the record is set aside with something to fix', () => {
    // A rule bug, reproduced: an event whose fields break a rule's assumptions.
    const broken = { ...(normalized(execWith('command=sh')) as AuditEvent), sourceIps: undefined } as unknown as AuditEvent;
    const failure = (() => {
      try {
        detect(broken);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(failure).toBeInstanceOf(RuleFailed);
    expect(auditRules.map((rule) => rule.id)).toContain((failure as RuleFailed).ruleId);
    expect((failure as RuleFailed).message).toMatch(/^rule eks-audit\.[a-z-]+ failed: TypeError: /);
  });
});
