import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, nestsDeeperThan, numberOf, parseJsonDocument, textOf } from '#core/model/json';

describe('nestsDeeperThan', () => {
  it('counts the value itself as level 1, objects and arrays alike', () => {
    expect(nestsDeeperThan('text', 0)).toBe(false);
    expect(nestsDeeperThan({}, 1)).toBe(false);
    expect(nestsDeeperThan({ a: [] }, 1)).toBe(true);
    expect(nestsDeeperThan({ a: [{ b: 1 }], c: 'x' }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [{ b: [] }], c: 'x' }, 3)).toBe(true);
  });

  it('answers for a value nested 200,000 levels deep without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(200_000)}${']'.repeat(200_000)}`) as unknown;
    expect(nestsDeeperThan(deep, MAX_JSON_DEPTH)).toBe(true);
  });
});

describe('readers of embedded documents and loose values', () => {
  it('parses a policy document unless it is not JSON or nests past MAX_JSON_DEPTH', () => {
    expect(parseJsonDocument('{"Statement":[{"Effect":"Allow"}]}')).toEqual({ Statement: [{ Effect: 'Allow' }] });
    expect(parseJsonDocument('{"Statement":')).toBeUndefined();
    expect(parseJsonDocument(`{"Statement":${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}}`)).toBeUndefined();
  });

  it('reads any JSON value as text or number without the traps of String and Number', () => {
    const trap = JSON.parse('{"toString": 1, "valueOf": 2}') as unknown;
    expect(() => String(trap)).toThrow(TypeError);
    expect(textOf(trap)).toBe('[object Object]');
    expect(textOf(['a', ['b']])).toBe('a,b');
    expect(textOf(42)).toBe('42');
    expect(numberOf(trap)).toBeNaN();
    expect(numberOf('12')).toBe(12);
  });
});
