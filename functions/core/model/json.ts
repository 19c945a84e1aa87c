/** Loose readers for records' free-form JSON (request objects, parameters); they never throw. */
export type Json = Record<string, unknown>;

export function asObject(value: unknown): Json | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

export function asArray(value: unknown): Json[] {
  return Array.isArray(value) ? (value.filter((item) => asObject(item)) as Json[]) : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
