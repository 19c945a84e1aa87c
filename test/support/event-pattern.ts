/**
 * EventBridge's documented event-pattern semantics, evaluated locally so that tests ask "would
 * EventBridge deliver this event?" instead of reading a pattern's JSON. No maintained npm package
 * does this offline; this follows the EventBridge User Guide ("Event patterns", "Comparison
 * operators", "Arrays in event patterns"):
 * - every key of a pattern must match; a leaf is a list of alternatives (any may match);
 * - arrays in the event are flattened: a leaf matches when any value reachable at its path matches,
 *   and each leaf is matched on its own (fields of different array elements may satisfy one pattern);
 * - `$or` takes a list of sub-patterns at the level it appears;
 * - operators: exact values (string, number, boolean, null), prefix, suffix, equals-ignore-case,
 *   wildcard (`*`, with `\*` for a literal star), anything-but (values, prefix, suffix,
 *   equals-ignore-case, wildcard), numeric, exists, cidr (IPv4).
 * An operator it does not know is an error: a pattern EventBridge would refuse must not pass here.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Matcher = Json;

export class InvalidPattern extends Error {
  override name = 'InvalidPattern';
}

/** Whether EventBridge would match `event` with `pattern` (the rule's EventPattern as JSON). */
export function matchesPattern(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) throw new InvalidPattern('a pattern is a JSON object');
  return matchesObject(pattern, [event as Json]);
}

function matchesObject(pattern: Record<string, unknown>, nodes: Json[]): boolean {
  for (const [key, value] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(value) || value.length < 2) throw new InvalidPattern('$or takes a list of at least two patterns');
      if (!value.some((alternative) => isObject(alternative) && matchesObject(alternative, nodes))) return false;
      continue;
    }
    const children = nodes.flatMap((node) => childValues(node, key));
    if (Array.isArray(value)) {
      if (!matchesLeaf(value as Matcher[], children.flatMap(flattenLeaves))) return false;
    } else if (isObject(value)) {
      if (!matchesObject(value, children.flatMap(flattenObjects))) return false;
    } else {
      throw new InvalidPattern(`"${key}": a pattern value is a list of matchers or a nested pattern`);
    }
  }
  return true;
}

function childValues(node: Json, key: string): Json[] {
  if (Array.isArray(node)) return node.flatMap((item) => childValues(item, key));
  if (isObject(node) && Object.hasOwn(node, key)) return [node[key] as Json];
  return [];
}

/** Leaf values at a path: arrays (of arrays) are flattened; objects are not leaves. */
function flattenLeaves(value: Json): Json[] {
  if (Array.isArray(value)) return value.flatMap(flattenLeaves);
  return isObject(value) ? [] : [value];
}

function flattenObjects(value: Json): Json[] {
  if (Array.isArray(value)) return value.flatMap(flattenObjects);
  return isObject(value) ? [value] : [];
}

function matchesLeaf(matchers: Matcher[], values: Json[]): boolean {
  if (matchers.length === 0) throw new InvalidPattern('an empty list of matchers matches nothing and is refused');
  return matchers.some((matcher) => {
    if (isObject(matcher) && 'exists' in matcher) {
      if (typeof matcher.exists !== 'boolean') throw new InvalidPattern('exists takes true or false');
      return matcher.exists ? values.length > 0 : values.length === 0;
    }
    return values.some((value) => matchesValue(matcher, value));
  });
}

function matchesValue(matcher: Matcher, value: Json): boolean {
  if (!isObject(matcher)) return matcher === value;
  const keys = Object.keys(matcher);
  if (keys.length !== 1) throw new InvalidPattern(`a matcher has one operator, got ${JSON.stringify(matcher)}`);
  const operator = keys[0]!;
  const operand = matcher[operator];
  switch (operator) {
    case 'prefix':
      return stringTest(operand, value, (text, expected, ignoreCase) => fold(text, ignoreCase).startsWith(fold(expected, ignoreCase)));
    case 'suffix':
      return stringTest(operand, value, (text, expected, ignoreCase) => fold(text, ignoreCase).endsWith(fold(expected, ignoreCase)));
    case 'equals-ignore-case':
      return typeof operand === 'string' && typeof value === 'string' && value.toLowerCase() === operand.toLowerCase();
    case 'wildcard':
      if (typeof operand !== 'string') throw new InvalidPattern('wildcard takes a string');
      return typeof value === 'string' && wildcardRegExp(operand).test(value);
    case 'anything-but':
      return anythingBut(operand as Json, value);
    case 'numeric':
      return numeric(operand, value);
    case 'cidr':
      return cidr(operand, value);
    default:
      throw new InvalidPattern(`unknown operator "${operator}"`);
  }
}

function stringTest(operand: unknown, value: Json, test: (text: string, expected: string, ignoreCase: boolean) => boolean): boolean {
  if (typeof value !== 'string') return false;
  if (typeof operand === 'string') return test(value, operand, false);
  if (isObject(operand) && typeof operand['equals-ignore-case'] === 'string') return test(value, operand['equals-ignore-case'], true);
  throw new InvalidPattern(`prefix/suffix take a string or {equals-ignore-case}, got ${JSON.stringify(operand)}`);
}

function fold(text: string, ignoreCase: boolean): string {
  return ignoreCase ? text.toLowerCase() : text;
}

function anythingBut(operand: Json, value: Json): boolean {
  if (Array.isArray(operand)) return !operand.includes(value);
  if (isObject(operand)) {
    if (typeof value !== 'string') return false;
    return !matchesValue(operand, value);
  }
  return operand !== value;
}

function wildcardRegExp(pattern: string): RegExp {
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === '\\' && pattern[index + 1] === '*') {
      source += '\\*';
      index++;
    } else if (char === '*') {
      if (pattern[index + 1] === '*') throw new InvalidPattern('consecutive wildcard characters are refused');
      source += '.*';
    } else {
      source += char.replace(/[.+?^${}()|[\]\\/]/g, '\\$&');
    }
  }
  return new RegExp(`^${source}$`, 's');
}

function numeric(operand: unknown, value: Json): boolean {
  if (!Array.isArray(operand) || operand.length % 2 !== 0) throw new InvalidPattern('numeric takes operator/number pairs');
  if (typeof value !== 'number') return false;
  for (let index = 0; index < operand.length; index += 2) {
    const [operator, bound] = [operand[index], operand[index + 1]];
    if (typeof bound !== 'number') throw new InvalidPattern('numeric bounds are numbers');
    const holds = { '<': value < bound, '<=': value <= bound, '=': value === bound, '>': value > bound, '>=': value >= bound }[String(operator)];
    if (holds === undefined) throw new InvalidPattern(`unknown numeric operator ${String(operator)}`);
    if (!holds) return false;
  }
  return true;
}

function cidr(operand: unknown, value: Json): boolean {
  if (typeof operand !== 'string' || typeof value !== 'string') return false;
  const [network, bits] = operand.split('/');
  const toNumber = (address: string) => {
    const parts = address.split('.').map(Number);
    if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part) || part < 0 || part > 255)) return undefined;
    return parts.reduce((total, part) => total * 256 + part, 0);
  };
  const base = toNumber(network ?? '');
  const address = toNumber(value);
  const length = Number(bits);
  if (base === undefined || !Number.isInteger(length) || length < 0 || length > 32) throw new InvalidPattern(`cidr ${operand} is not an IPv4 CIDR`);
  if (address === undefined) return false;
  const size = 2 ** (32 - length);
  return Math.floor(address / size) === Math.floor(base / size);
}

function isObject(value: unknown): value is Record<string, Json> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
