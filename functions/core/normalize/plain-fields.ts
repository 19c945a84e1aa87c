/**
 * Checks for reading a record's declared fields straight from it, as its zod schema would give
 * them. Each accepts only what the schema accepts and gives what the schema's parse gives; a value
 * any of them doubts goes to the schema, which decides and names what is wrong. Records nearly
 * always pass, and the schema's general machinery costs more than the rest of normalizing.
 */

type Json = Record<string, unknown>;

/** zod's `z.object()` input: an object that is not an array. */
export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `z.string().min(1)` */
export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}

/** `z.string().optional()`: undefined passes, null does not. */
export function isOptionalString(value: unknown): value is string | undefined {
  return value === undefined || typeof value === 'string';
}

/** `z.string().nullish()` */
export function isNullishString(value: unknown): value is string | null | undefined {
  return value === undefined || value === null || typeof value === 'string';
}

/** `z.array(z.string())` */
export function isStringArray(value: unknown): value is string[] {
  if (!Array.isArray(value)) return false;
  for (let index = 0; index < value.length; index++) if (typeof value[index] !== 'string') return false;
  return true;
}

/** `z.array(z.string()).nullish()`, as its parse gives it: a copy, or null or undefined. */
export function nullishStringArray(value: unknown): string[] | null | undefined | false {
  if (value === undefined || value === null) return value;
  return isStringArray(value) && value.slice();
}

/**
 * `z.object({ a: z.string().optional(), … })` over `keys`, as its parse gives it: a new object with
 * the keys in the schema's order, each only if the record has it; false when one is not a string.
 */
export function optionalStringFields<Key extends string>(value: Json, keys: readonly Key[]): Partial<Record<Key, string>> | false {
  const fields: Partial<Record<Key, string>> = {};
  for (const key of keys) {
    const field = value[key];
    if (field !== undefined) {
      if (typeof field !== 'string') return false;
      fields[key] = field;
    } else if (key in value) {
      fields[key] = undefined;
    }
  }
  return fields;
}

/**
 * `z.record(z.string(), z.unknown()).nullish()`, as its parse gives it (a shallow copy), for an
 * object as JSON.parse makes it; false for anything else (a `__proto__` or `constructor` key, a
 * symbol, another prototype), which the schema reads its own way.
 */
export function nullishJsonRecord(value: unknown): Json | null | undefined | false {
  if (value === undefined || value === null) return value;
  if (!isObject(value) || Object.getPrototypeOf(value) !== Object.prototype) return false;
  if (Object.hasOwn(value, 'constructor') || Object.hasOwn(value, '__proto__') || Object.getOwnPropertySymbols(value).length > 0) return false;
  const copy: Json = {};
  for (const key in value) {
    if (!Object.hasOwn(value, key)) return false;
    copy[key] = value[key];
  }
  return copy;
}
