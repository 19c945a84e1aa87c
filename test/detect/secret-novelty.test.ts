import { describe, expect, it } from 'vitest';
import { Pipeline } from '#core/pipeline';
import { configSchema } from '#core/config';
import { severityRank } from '#core/model/signal';
import type { Signal } from '#core/model/signal';
import type { CloudTrailEvent } from '#core/model/event';
import { secretIdsOf } from '#core/link/secret-facts';
import { BURST_MIN_SECRETS, OTHER_TEAM_SECRET_RULE, SECRET_BURST_RULE, teamOfSecret } from '#core/detect/secret-novelty';
import { memoryStore } from '../fixtures/store.ts';
import { normalizeAll } from '../fixtures/normalize.ts';
import { CLUSTER, cloudTrailRecord } from '../fixtures/records.ts';
import {
  CHECKOUT,
  NAMESPACE,
  NAT_IP,
  OTHER_TEAMS_SECRETS,
  POD,
  USUAL_SECRETS,
  appSetup,
  getDecryptedParameter,
  readsFrom,
  secretArn,
  usualDay,
} from '../fixtures/scenarios/secret-reads.ts';

type Json = Record<string, unknown>;

const NOVELTY_RULES: string[] = [SECRET_BURST_RULE.id, OTHER_TEAM_SECRET_RULE.id];
/** The cluster's NAT address is configured: reads from it are the cluster's own. */
const CONFIG = configSchema.parse({ egressCidrs: [`${NAT_IP}/32`] });

/** Replays batches in order, as the analyzer receives them, and correlates what was kept. */
async function replay(...batches: Json[][]) {
  const pipeline = new Pipeline(memoryStore(), CONFIG);
  const signals: Signal[] = [];
  for (const batch of batches) signals.push(...(await pipeline.ingest(normalizeAll(batch))));
  const { incidents } = await pipeline.correlate();
  return { signals, incidents, novelty: signals.filter((signal) => NOVELTY_RULES.includes(signal.rule)) };
}

/** Day one: the pod starts, and reads its three secrets every half hour. */
const firstDay = () => [...appSetup(), ...usualDay('2026-11-20T00:05:00Z', 24)];

describe(SECRET_BURST_RULE.id, () => {
  it('stays quiet while the application reads its usual three secrets all day, day after day', async () => {
    const { novelty, incidents } = await replay(firstDay(), usualDay('2026-11-21T00:05:00Z', 24));
    expect(novelty).toEqual([]);
    expect(incidents.filter((incident) => severityRank[incident.severity] > severityRank.low)).toEqual([]);
  });

  it("raises medium on a burst of twelve secrets of other teams, tied to the application's pod", async () => {
    const { novelty, incidents } = await replay(firstDay(), usualDay('2026-11-21T00:05:00Z', 14), readsFrom('2026-11-21T14:02:00Z', OTHER_TEAMS_SECRETS));
    const bursts = novelty.filter((signal) => signal.rule === SECRET_BURST_RULE.id);
    expect(bursts).toHaveLength(1);
    expect(bursts[0]).toMatchObject({ severity: 'medium', subject: { accessKeyId: CHECKOUT.accessKeyId } });
    expect(bursts[0]!.summary).toMatch(/read 12 secrets/);
    const loud = incidents.filter((incident) => severityRank[incident.severity] >= severityRank.medium);
    expect(loud.map((incident) => incident.severity)).toEqual(['medium']);
    expect(loud[0]!.workload).toMatchObject({ cluster: CLUSTER, namespace: NAMESPACE, pod: POD });
    expect(loud[0]!.signals.map((signal) => signal.rule)).toContain(SECRET_BURST_RULE.id);
  });

  it('raises no burst on the first day of a new role: without a day of history every secret is new', async () => {
    const { novelty } = await replay([...appSetup(), ...readsFrom('2026-11-20T00:05:00Z', [...USUAL_SECRETS, ...OTHER_TEAMS_SECRETS])]);
    expect(novelty).toEqual([]);
  });

  it(`raises a burst of ${BURST_MIN_SECRETS} new secrets of the team's own, and none of ${BURST_MIN_SECRETS - 1}`, async () => {
    const own = Array.from({ length: BURST_MIN_SECRETS }, (_, index) => `prod/payments/new-${index}`);
    const rules = async (secrets: string[]) => (await replay(firstDay(), readsFrom('2026-11-21T09:00:00Z', secrets))).novelty.map((signal) => signal.rule);
    expect(await rules(own)).toEqual([SECRET_BURST_RULE.id]);
    expect(await rules(own.slice(1))).toEqual([]);
  });

  it('counts one secret once, however it is spelled: name, ARN with its suffix, repeated reads', async () => {
    const spelled = [...USUAL_SECRETS.map((name) => secretArn(name)), 'prod/payments/new-1', secretArn('prod/payments/new-1', 'XyZ123'), 'prod/payments/new-2'];
    const { novelty } = await replay(firstDay(), readsFrom('2026-11-21T09:00:00Z', [...spelled, ...spelled]));
    expect(novelty).toEqual([]);
  });

  it('catches a slow attacker reading other teams’ secrets under the burst rate by their owners', async () => {
    const slow = readsFrom('2026-11-21T09:00:00Z', OTHER_TEAMS_SECRETS.slice(0, 4), 300);
    const { novelty } = await replay(firstDay(), slow);
    expect(novelty.map((signal) => signal.rule)).toEqual(Array(4).fill(OTHER_TEAM_SECRET_RULE.id));
  });

  it('leaves a person reading many secrets alone: only sessions handed to pods or nodes are watched', async () => {
    const person = { roleName: 'AWSReservedSSO_Admin_0123456789abcdef', sessionName: 'alice@example.com', accessKeyId: 'ASIAEXAMPLEPERSON001' };
    const { novelty } = await replay(usualDay('2026-11-20T00:05:00Z', 24, 60, person), readsFrom('2026-11-21T09:00:00Z', OTHER_TEAMS_SECRETS, 20, person));
    expect(novelty).toEqual([]);
  });
});

describe(OTHER_TEAM_SECRET_RULE.id, () => {
  it("raises medium for each secret of another team than the pod's namespace and the role's usual prefixes", async () => {
    const { novelty } = await replay(
      firstDay(),
      readsFrom('2026-11-21T09:00:00Z', ['prod/orders/db-credentials', 'prod/payments/new-key', 'shared-flat-secret']),
    );
    expect(novelty).toEqual([
      expect.objectContaining({ rule: OTHER_TEAM_SECRET_RULE.id, severity: 'medium', subject: expect.objectContaining({ accessKeyId: CHECKOUT.accessKeyId }) }),
    ]);
    expect(novelty[0]!.summary).toContain('prod/orders/db-credentials');
  });

  it("accepts the prefixes the role read on its first day as its own, even when they are not its namespace's", async () => {
    const { novelty } = await replay(
      [...firstDay(), ...usualDay('2026-11-20T00:10:00Z', 24, 60, CHECKOUT, ['prod/shared-config/feature-flags'])],
      readsFrom('2026-11-21T09:00:00Z', ['prod/shared-config/rate-limits']),
    );
    expect(novelty).toEqual([]);
  });
});

describe('secret ids and owners', () => {
  const event = (record: Json) => normalizeAll([record])[0] as CloudTrailEvent;
  const call = (eventSource: string, eventName: string, requestParameters: Json) => event(cloudTrailRecord({ eventSource, eventName, requestParameters }));

  it('reads Secrets Manager names and ARNs, and decrypted SSM parameters by name, ARN, version and path', () => {
    expect(secretIdsOf(call('secretsmanager.amazonaws.com', 'GetSecretValue', { secretId: secretArn('prod/payments/db-password') }))).toEqual([
      'secretsmanager:prod/payments/db-password',
    ]);
    expect(secretIdsOf(call('secretsmanager.amazonaws.com', 'BatchGetSecretValue', { secretIdList: ['a/b/c', secretArn('a/b/c')] }))).toEqual([
      'secretsmanager:a/b/c',
    ]);
    const ssm = (eventName: string, parameters: Json) => secretIdsOf(call('ssm.amazonaws.com', eventName, parameters));
    expect(ssm('GetParameter', { name: '/prod/orders/token', withDecryption: true })).toEqual(['ssm:prod/orders/token']);
    expect(ssm('GetParameter', { name: 'arn:aws:ssm:us-east-1:111122223333:parameter/prod/orders/token:3', withDecryption: true })).toEqual([
      'ssm:prod/orders/token',
    ]);
    expect(ssm('GetParameters', { names: ['/a/b/c', '/a/b/d'], withDecryption: true })).toEqual(['ssm:a/b/c', 'ssm:a/b/d']);
    expect(ssm('GetParametersByPath', { path: '/prod/orders/', withDecryption: true })).toEqual(['ssm:prod/orders/*']);
    expect(ssm('GetParameter', { name: '/prod/orders/token' })).toEqual([]);
  });

  it('learns decrypted parameters into the baseline like secrets', async () => {
    const { novelty } = await replay(firstDay(), [getDecryptedParameter('/prod/orders/db-password', '2026-11-21T09:00:00Z')]);
    expect(novelty.map((signal) => signal.summary)).toEqual([expect.stringContaining('ssm:prod/orders/db-password')]);
  });

  it('takes the team from the first path segment, or the second after an environment', () => {
    expect(teamOfSecret('secretsmanager:prod/payments/db')).toBe('payments');
    expect(teamOfSecret('secretsmanager:payments/prod/db')).toBe('payments');
    expect(teamOfSecret('ssm:Production/Orders/token')).toBe('orders');
    expect(teamOfSecret('secretsmanager:prod/db-password')).toBeUndefined();
    expect(teamOfSecret('secretsmanager:db-password')).toBeUndefined();
  });
});
