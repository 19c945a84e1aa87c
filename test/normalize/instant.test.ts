import { describe, expect, it } from 'vitest';
import { parseInstant } from '#core/normalize/instant';

describe('parseInstant', () => {
  it('reads ISO 8601 instants with Z, offsets and fractions', () => {
    expect(parseInstant('2026-11-21T02:13:04Z')).toBe(Date.UTC(2026, 10, 21, 2, 13, 4));
    expect(parseInstant('2026-11-21T02:13:04.123456Z')).toBe(Date.UTC(2026, 10, 21, 2, 13, 4, 123));
    expect(parseInstant('2023-03-22T15:48:25.752000-05:00')).toBe(Date.UTC(2023, 2, 22, 20, 48, 25, 752));
  });

  it('reads zoneless space-separated exports as UTC', () => {
    expect(parseInstant('2025-02-25 20:40:06.721')).toBe(Date.UTC(2025, 1, 25, 20, 40, 6, 721));
  });

  it('rejects dates that do not exist and text that is no timestamp', () => {
    expect(parseInstant('2026-02-30T00:00:00Z')).toMatch(/not a real date/);
    expect(parseInstant('2026-11-21T25:00:00Z')).toMatch(/not a real date/);
    expect(parseInstant('yesterday')).toMatch(/not an ISO 8601 timestamp/);
    expect(parseInstant('1763691184')).toMatch(/not an ISO 8601 timestamp/);
  });
});

describe('parseInstant on a stream of records', () => {
  it('gives the same answers when consecutive timestamps share a minute', () => {
    const stamps = ['2026-11-21T02:13:04Z', '2026-11-21T02:13:59.5Z', '2026-11-21T02:13:00.000001Z', '2026-11-21T02:14:00Z'];
    expect(stamps.map(parseInstant)).toEqual(stamps.map((stamp) => Date.parse(stamp)));
  });

  it('still rejects an impossible second within a remembered minute', () => {
    expect(parseInstant('2026-11-21T02:13:04Z')).toBe(Date.UTC(2026, 10, 21, 2, 13, 4));
    expect(parseInstant('2026-11-21T02:13:61Z')).toMatch(/not a real date/);
  });
});
