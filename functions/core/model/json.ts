/** Loose readers for records' free-form JSON (request objects, parameters); they never throw. */
export type Json = Record<string, unknown>;

/**
 * How deeply objects and arrays may nest in a record or in a document it embeds. Real records
 * stay far below (the shared corpus peaks at 11; a Kubernetes CRD's schema at a few dozen);
 * anything deeper is built to overflow the stack of whatever walks it next (JSON.stringify,
 * structuredClone, a store's marshaller), so it is refused before it gets that far.
 */
export const MAX_JSON_DEPTH = 100;

export function asObject(value: unknown): Json | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

export function asArray(value: unknown): Json[] {
  return Array.isArray(value) ? (value.filter((item) => asObject(item)) as Json[]) : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/**
 * Whether objects and arrays nest more than `limit` levels (the value itself is level 1).
 * Iterative, so asking about a value nested a million levels deep is as safe as any other.
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  if (value === null || typeof value !== 'object') return false;
  // Two parallel stacks and for...in: every record is checked, so no allocation per node.
  const pending: object[] = [value];
  const depths: number[] = [1];
  while (pending.length > 0) {
    const node = pending.pop()!;
    const depth = depths.pop()!;
    if (depth > limit) return true;
    if (Array.isArray(node)) {
      for (const child of node as unknown[]) {
        if (child !== null && typeof child === 'object') {
          pending.push(child);
          depths.push(depth + 1);
        }
      }
    } else {
      for (const key in node) {
        const child = (node as Json)[key];
        if (child !== null && typeof child === 'object') {
          pending.push(child);
          depths.push(depth + 1);
        }
      }
    }
  }
  return false;
}

/** A JSON document embedded in a record as text (a policy): undefined when not JSON or nested too deep to walk. */
export function parseJsonDocument(text: string): unknown {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return undefined;
  }
  return nestsDeeperThan(document, MAX_JSON_DEPTH) ? undefined : document;
}

/**
 * String(value) for a value read from a record, which cannot throw: an object whose `toString`
 * key is not a function, or an array nested past the stack, reads as what String gives a plain one.
 */
export function textOf(value: unknown): string {
  try {
    return String(value);
  } catch {
    return Array.isArray(value) ? '' : '[object Object]';
  }
}

/** Number(value) for a value read from a record, which cannot throw: NaN where Number would. */
export function numberOf(value: unknown): number {
  try {
    return Number(value);
  } catch {
    return Number.NaN;
  }
}
