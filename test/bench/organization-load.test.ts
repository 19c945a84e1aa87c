import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { generateBusyCluster } from '../../bench/generate.ts';
import {
  DEFAULT_ORGANIZATION_LOAD_OPTIONS,
  holdVerdict,
  memberAccountId,
  organizationLoad,
  type OrganizationLoadRow,
} from '../../bench/sections/organization-load.ts';
import { accountPivot, DATA_ACCOUNT } from '../../bench/sections/organization-load/account-pivot.ts';

const DEFAULT_ACCOUNT = '111122223333';

describe('generateBusyCluster accountId', () => {
  const options = { records: 2_000, includeFindings: true };

  it('leaves the default output as it was when the account is the default one', () => {
    expect([...generateBusyCluster({ ...options, accountId: DEFAULT_ACCOUNT })]).toEqual([...generateBusyCluster(options)]);
  });

  it('puts the account in every ARN and recipientAccountId, and the default account nowhere', () => {
    const accountId = memberAccountId(7);
    const lines = [...generateBusyCluster({ ...options, accountId })];
    expect(lines.filter((line) => line.includes(DEFAULT_ACCOUNT))).toEqual([]);
    const trail = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((record) => 'eventVersion' in record);
    expect(trail.length).toBeGreaterThan(0);
    expect(new Set(trail.map((record) => record.recipientAccountId))).toEqual(new Set([accountId]));
    const roleArns = lines.join('\n').match(/arn:aws:iam::\d{12}:role\/[\w-]+/g) ?? [];
    expect(roleArns.length).toBeGreaterThan(0);
    expect(roleArns.every((arn) => arn.startsWith(`arn:aws:iam::${accountId}:`))).toBe(true);
  });

  it('refuses an account id that is not 12 digits', () => {
    expect(() => [...generateBusyCluster({ records: 1, accountId: '1234' })]).toThrow(/12 digits/);
  });
});

describe('accountPivot', () => {
  it("makes the pivot the member's own and carries it into the data account", () => {
    const accountId = memberAccountId(3);
    const { member, dataAccount } = accountPivot(3, accountId, 'prod-3');
    const memberText = JSON.stringify(member);
    expect(memberText).not.toContain(DEFAULT_ACCOUNT);
    expect(memberText).toContain(`arn:aws:iam::${accountId}:role/checkout-irsa`);
    const crossAccount = member.find((record) => record.eventName === 'AssumeRole');
    expect(crossAccount?.requestParameters).toMatchObject({ roleArn: `arn:aws:iam::${DATA_ACCOUNT}:role/data-exporter` });
    expect(dataAccount.map((record) => record.recipientAccountId)).toEqual([DATA_ACCOUNT]);
    expect(JSON.stringify(dataAccount)).not.toContain(DEFAULT_ACCOUNT);
  });

  it('gives each member its own keys and attacker address', () => {
    const keysOf = (index: number) => JSON.stringify(accountPivot(index, memberAccountId(index), `prod-${index}`).member).match(/ASIA\w+/g);
    const first = new Set(keysOf(1));
    expect(keysOf(2)?.some((key) => first.has(key))).toBe(false);
  });
});

describe('holdVerdict', () => {
  const row = (accounts: number, overrides: Partial<OrganizationLoadRow> = {}): OrganizationLoadRow => ({
    accounts,
    records: 1_000 * accounts,
    batches: 10,
    alerts: 2 * accounts,
    recordsPerSecond: 100,
    readUnitsPerRecord: 1,
    writeUnitsPerRecord: 1,
    p50Ms: 2_000,
    p99Ms: 4_000,
    costPerMillion: 1,
    ...overrides,
  });

  it('holds when more accounts are no worse, even when they are better', () => {
    const verdict = holdVerdict([row(1), row(20, { recordsPerSecond: 200, costPerMillion: 0.7 })]);
    expect(verdict.holds).toBe(true);
    expect(verdict.moved).toEqual([]);
  });

  it('names the figures that got more than 25% worse', () => {
    const verdict = holdVerdict([row(1), row(5), row(20, { recordsPerSecond: 70, p99Ms: 5_200 })]);
    expect(verdict.holds).toBe(false);
    expect(verdict.moved).toEqual(['recordsPerSecond', 'p99']);
  });
});

describe('organizationLoad', () => {
  let rows: OrganizationLoadRow[];
  const printed: string[] = [];

  beforeAll(async () => {
    const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => {
      printed.push(String(line));
    });
    try {
      rows = await organizationLoad({ ...DEFAULT_ORGANIZATION_LOAD_OPTIONS, accountCounts: [1, 2], recordsPerAccount: 150 });
    } finally {
      log.mockRestore();
    }
  });

  afterAll(() => vi.restoreAllMocks());

  it('returns one row per account count, with finite units and the pivots alerted', () => {
    expect(rows.map((row) => row.accounts)).toEqual([1, 2]);
    for (const row of rows) {
      expect(row.records).toBeGreaterThan(0);
      expect(Number.isFinite(row.readUnitsPerRecord) && row.readUnitsPerRecord > 0).toBe(true);
      expect(Number.isFinite(row.writeUnitsPerRecord) && row.writeUnitsPerRecord > 0).toBe(true);
      expect(Number.isFinite(row.p99Ms) && row.p99Ms >= row.p50Ms).toBe(true);
      expect(Number.isFinite(row.costPerMillion) && row.costPerMillion > 0).toBe(true);
      // Each member's pivot opens an incident: at least one alert per account.
      expect(row.alerts).toBeGreaterThanOrEqual(row.accounts);
    }
    expect(rows[1]!.records).toBeGreaterThan(rows[0]!.records);
  });

  it('prints a table with a column per figure and a row per account count', () => {
    const headerIndex = printed.findIndex((line) => line.trimStart().startsWith('accounts'));
    expect(headerIndex).toBeGreaterThanOrEqual(0);
    const header = printed[headerIndex]!.trim().split(/\s{2,}/);
    expect(header).toEqual([
      'accounts',
      'records',
      'batches',
      'alerts',
      'rec/s',
      'RU/rec',
      'WU/rec',
      'p50 s',
      'p99 s',
      'total/M',
      'rec/s vs 1',
      'units',
      'p99',
      'cost',
    ]);
    const body = printed.slice(headerIndex + 1, headerIndex + 3).map((line) => line.trim().split(/\s{2,}/));
    expect(body.map((cells) => cells.length)).toEqual([header.length, header.length]);
    expect(body.map((cells) => cells[0])).toEqual(['1', '2']);
    expect(body[0]!.slice(-4)).toEqual(['1.00x', '1.00x', '1.00x', '1.00x']);
  });
});
