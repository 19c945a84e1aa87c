import { describe, expect, it } from 'vitest';
import { assumedRoleIdentity, auditEvent, cloudTrailRecord, guardDutyFinding } from '../fixtures/records.ts';
import { incidentsOf } from '../fixtures/pipeline.ts';
import { keyedOnly, memoryStore } from '../fixtures/store.ts';
import { shuffle } from '../fixtures/shuffle.ts';
import { actorKindOf } from '#core/correlate/actor-kind';
import type { Signal } from '#core/model/signal';

const ADMIN = assumedRoleIdentity('AWSReservedSSO_Admin_0123', 'alice@example.com', 'ASIAEXAMPLEADMIN0001');
const OFFICE_IP = '192.0.2.10';
const NEW_IP = '203.0.113.99';

/** An administrator's ordinary day: reading from the office. */
const ordinary = (time: string) =>
  cloudTrailRecord({ userIdentity: ADMIN, eventTime: time, sourceIPAddress: OFFICE_IP, eventSource: 'ec2.amazonaws.com', eventName: 'DescribeInstances' });
/** Then a new access key for another user, from an address the role never used. */
const backdoor = cloudTrailRecord({
  userIdentity: ADMIN,
  eventTime: '2026-11-21T03:00:00Z',
  sourceIPAddress: NEW_IP,
  eventSource: 'iam.amazonaws.com',
  eventName: 'CreateAccessKey',
  requestParameters: { userName: 'backup' },
});

describe('first-seen baselines', () => {
  it('name an address and an API new to a role, and raise confidence, not severity', async () => {
    const history = ['2026-11-18T09:00:00Z', '2026-11-19T09:00:00Z', '2026-11-20T09:00:00Z'].map(ordinary);
    const [withBaseline] = await incidentsOf([...history, backdoor]);
    const [alone] = await incidentsOf([backdoor]);
    expect(withBaseline!.newBehaviour).toEqual([
      'role AWSReservedSSO_Admin_0123 had never been used from 203.0.113.99',
      'role AWSReservedSSO_Admin_0123 had never called iam:CreateAccessKey',
    ]);
    expect(withBaseline!.explanation).toMatch(/first seen: role AWSReservedSSO_Admin_0123 had never been used from 203\.0\.113\.99/);
    expect(alone!.newBehaviour).toEqual([]);
    expect(withBaseline!.severity).toBe(alone!.severity);
    expect(withBaseline!.confidence).toBeGreaterThan(alone!.confidence);
    // A store read only by keyed batches (DynamoDB) finds the baselines too.
    expect(await incidentsOf([...history, backdoor], {}, keyedOnly(memoryStore()))).toEqual([withBaseline]);
  });

  it('do not call anything new before the role has a day of history, in any arrival order', async () => {
    const young = [ordinary('2026-11-21T01:00:00Z'), backdoor];
    expect((await incidentsOf(young))[0]!.newBehaviour).toEqual([]);
    const history = ['2026-11-18T09:00:00Z', '2026-11-20T09:00:00Z'].map(ordinary);
    const inOrder = await incidentsOf([...history, backdoor]);
    const reordered = await incidentsOf(shuffle([...history, backdoor], 7));
    expect(reordered[0]!.newBehaviour).toEqual(inOrder[0]!.newBehaviour);
  });

  it('know an address the role has used before', async () => {
    const history = ['2026-11-18T09:00:00Z', '2026-11-20T09:00:00Z'].map(ordinary);
    const fromOffice = { ...backdoor, sourceIPAddress: OFFICE_IP };
    expect((await incidentsOf([...history, fromOffice]))[0]!.newBehaviour).toEqual(['role AWSReservedSSO_Admin_0123 had never called iam:CreateAccessKey']);
  });
});

describe('a process new to an image', () => {
  const finding = (id: string, time: string, path: string) => {
    const base = guardDutyFinding({ id, type: 'Execution:Runtime/NewBinaryExecuted', updatedAt: time, createdAt: time });
    const service = base.service as Record<string, unknown>;
    return { ...base, service: { ...service, eventFirstSeen: time, eventLastSeen: time, runtimeDetails: { process: { name: path, executablePath: path } } } };
  };

  it('is named once the image has a day of runtime history', async () => {
    const incidents = await incidentsOf([
      finding('f1', '2026-11-18T09:00:00.000Z', '/usr/local/bin/app'),
      finding('f2', '2026-11-21T02:00:00.000Z', '/tmp/.x/xmrig'),
    ]);
    const latest = incidents.find((incident) => incident.lastSeen.startsWith('2026-11-21'));
    expect(latest!.newBehaviour).toEqual(['image nginx:1.27 had never run /tmp/.x/xmrig']);
  });
});

describe('who acted and where', () => {
  const exec = (namespace: string) =>
    auditEvent({
      verb: 'create',
      requestURI: `/api/v1/namespaces/${namespace}/pods/web-1/exec?command=sh`,
      user: { username: 'alice@example.com', groups: ['system:authenticated'] },
      objectRef: { resource: 'pods', subresource: 'exec', namespace, name: 'web-1', apiVersion: 'v1' },
      responseStatus: { metadata: {}, code: 101 },
    });
  const config = { namespaces: { shop: 'critical', sandbox: 'low' } };

  it('scores the same exec higher in production than in dev, and the sentence says why', async () => {
    const [production] = await incidentsOf([exec('shop')], config);
    const [dev] = await incidentsOf([exec('sandbox')], { ...config, namespaces: { ...config.namespaces, sandbox: 'standard' } });
    expect(production!.explanation).toMatch(/A person acted \(alice@example\.com\), not a controller; namespace shop is production\.$/);
    expect(production!.confidence).toBeGreaterThan(dev!.confidence);
    // In a low-criticality namespace a medium exec falls below the bar: context, not an incident.
    expect(await incidentsOf([exec('sandbox')], config)).toEqual([]);
  });

  it('tells a person from a controller and a workload', () => {
    const signal = (source: Signal['source'], actor: string, extra: Partial<Signal['subject']> = {}) => ({ source, subject: { actor, ...extra } }) as Signal;
    expect(actorKindOf(signal('eks-audit', 'system:node:ip-10-0-1-1.ec2.internal'), false).kind).toBe('controller');
    expect(actorKindOf(signal('eks-audit', 'system:serviceaccount:kube-system:replicaset-controller'), false).kind).toBe('controller');
    expect(actorKindOf(signal('eks-audit', 'system:serviceaccount:shop:web'), false).kind).toBe('workload');
    expect(actorKindOf(signal('eks-audit', 'system:anonymous'), false).kind).toBe('anonymous');
    expect(actorKindOf(signal('cloudtrail', 'arn:aws:iam::111122223333:user/bob'), false).kind).toBe('person');
    expect(actorKindOf(signal('cloudtrail', 'arn:aws:sts::111122223333:assumed-role/checkout-irsa/s1'), true).kind).toBe('workload');
  });
});
