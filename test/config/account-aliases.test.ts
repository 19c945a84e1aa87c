import { describe, expect, it } from 'vitest';
import { configSchema } from '#core/config';

describe('accountAliases', () => {
  it('names accounts by their 12-digit id, and defaults to none', () => {
    expect(configSchema.parse({}).accountAliases).toEqual({});
    expect(configSchema.parse({ accountAliases: { '111122223333': ' prod ' } }).accountAliases).toEqual({ '111122223333': 'prod' });
  });

  it.each([
    ['an id that is not 12 digits', { '11112222333': 'prod' }, ['accountAliases', '11112222333']],
    ['an empty alias', { '111122223333': ' ' }, ['accountAliases', '111122223333']],
  ])('refuses %s, naming where', (_, accountAliases, path) => {
    const parsed = configSchema.safeParse({ accountAliases });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]!.path).toEqual(path);
  });
});
