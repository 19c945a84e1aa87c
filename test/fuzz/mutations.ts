/**
 * Hostile variants of real records, as JSON text: what a broken exporter, a compromised
 * workload's own strings or a hand-made file could put in front of pivotguard. Every draw comes
 * from a seeded Prng, so a failing variant is rebuilt from its seed and index alone.
 */
import { Prng } from '../../bench/generate/prng.ts';

type Json = Record<string, unknown>;

export type MutationKind =
  | 'truncated'
  | 'wrong-type'
  | 'deep-nesting'
  | 'deep-envelope'
  | 'huge-string'
  | 'control-characters'
  | 'invalid-percent-escapes'
  | 'exec-with-invalid-escapes'
  | 'odd-date'
  | 'duplicated-key'
  | 'missing-key';

export interface Mutant {
  /** JSON text, or text that is not JSON at all (a truncation). */
  text: string;
  kinds: MutationKind[];
  /** The index of the record it was made from. */
  base: number;
}

/** How often each kind is drawn; the costly ones (deep, huge) less often, so the suite stays quick. */
const WEIGHTS: [MutationKind, number][] = [
  ['truncated', 10],
  ['wrong-type', 14],
  ['deep-nesting', 6],
  ['deep-envelope', 2],
  ['huge-string', 3],
  ['control-characters', 12],
  ['invalid-percent-escapes', 9],
  ['exec-with-invalid-escapes', 4],
  ['odd-date', 16],
  ['duplicated-key', 10],
  ['missing-key', 14],
];

const DEEP_MARK = '__pivotguard_fuzz_deep__';

const ODD_DATES: unknown[] = [
  '9999-12-31T23:59:59Z',
  '1970-01-01T00:00:00Z',
  '2013-11-12T23:59:59Z',
  '2013-11-13T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '2026-11-21T24:00:00Z',
  '2026-11-21T02:13:61Z',
  '2026-11-21T02:13:04+25:00',
  '2026-11-21T02:13:04.1234567890Z',
  '2026-11-21',
  '',
  'yesterday',
  '\uff12\uff10\uff12\uff16-11-21T02:13:04Z',
  '2026-11-21T02:13:04Z\u0000',
  '2100-01-01T00:00:00Z',
  '2019-06-01 12:00:00',
  '2026-11-21T02:13:04-14:00',
  1763691184,
  null,
  ['2026-11-21T02:13:04Z'],
];

const WRONG_VALUES: unknown[] = [
  42,
  -1,
  1e308,
  0.5,
  true,
  false,
  null,
  '',
  'x',
  [],
  {},
  [1, 'a', null],
  { kind: 'Event' },
  JSON.parse('{"toString": 1, "valueOf": 2}'),
];

const CONTROL_TEXT = ['\u0000', '\u0007', '\u001b[31m', '\r\n', '\u202e', '\u2028', '\ud800', '\udfff', '\uffff', '\u0085', '\t', '"', '\\'];

const BAD_ESCAPES = ['%FF', '%', '%E2%82', '%C0%AF', '%ED%A0%80', '%zz', '%%41', '%F4%90%80%80', '%2', '%C3%A9%FF'];

interface Slot {
  holder: Json | unknown[];
  key: string | number;
  value: unknown;
}

/** Every value inside the record, with what holds it; iterative, as records may be large. */
function slotsOf(record: Json): Slot[] {
  const slots: Slot[] = [];
  const pending: (Json | unknown[])[] = [record];
  while (pending.length > 0) {
    const node = pending.pop()!;
    const entries: [string | number, unknown][] = Array.isArray(node) ? node.map((value, index) => [index, value]) : Object.entries(node);
    for (const [key, value] of entries) {
      slots.push({ holder: node, key, value });
      if (value && typeof value === 'object') pending.push(value as Json);
    }
  }
  return slots;
}

function assign(slot: Slot, value: unknown): void {
  (slot.holder as Record<string | number, unknown>)[slot.key] = value;
}

function nestedText(rng: Prng, levels: number): string {
  return rng.chance(0.5) ? `${'['.repeat(levels)}"bottom"${']'.repeat(levels)}` : `${'{"a":'.repeat(levels)}"bottom"${'}'.repeat(levels)}`;
}

/** A string value somewhere in the record, or undefined when it has none. */
function stringSlot(rng: Prng, slots: Slot[]): Slot | undefined {
  const strings = slots.filter((slot) => typeof slot.value === 'string');
  return strings.length > 0 ? rng.pick(strings) : undefined;
}

function insertAt(text: string, rng: Prng, inserted: string): string {
  const at = rng.int(text.length + 1);
  return text.slice(0, at) + inserted + text.slice(at);
}

/** Applies one kind to a parsed copy of the record; returns the text, or undefined when the kind does not apply. */
function apply(kind: MutationKind, record: Json, rng: Prng): string | undefined {
  const slots = kind === 'truncated' || kind === 'deep-envelope' || kind === 'duplicated-key' ? [] : slotsOf(record);
  switch (kind) {
    case 'truncated': {
      const text = JSON.stringify(record);
      return text.slice(0, rng.int(text.length));
    }
    case 'wrong-type': {
      const slot = rng.pick(slots);
      assign(slot, rng.pick(WRONG_VALUES.filter((value) => typeof value !== typeof slot.value || Array.isArray(value) !== Array.isArray(slot.value))));
      return JSON.stringify(record);
    }
    case 'deep-nesting': {
      assign(rng.pick(slots), DEEP_MARK);
      return JSON.stringify(record).replace(`"${DEEP_MARK}"`, nestedText(rng, rng.intBetween(1000, 8000)));
    }
    case 'deep-envelope': {
      const levels = rng.intBetween(1000, 8000);
      return `${'['.repeat(levels)}${JSON.stringify(record)}${']'.repeat(levels)}`;
    }
    case 'huge-string': {
      const slot = stringSlot(rng, slots) ?? rng.pick(slots);
      const unit = rng.pick(['A', 'é', '%FF', '\u202e', ' ', '\ud83d\udc1a', '\\u0000']);
      assign(slot, unit.repeat(Math.ceil(rng.intBetween(10_000, 120_000) / unit.length)));
      return JSON.stringify(record);
    }
    case 'control-characters': {
      const slot = stringSlot(rng, slots);
      if (!slot) return undefined;
      const inserted = Array.from({ length: rng.intBetween(1, 4) }, () => rng.pick(CONTROL_TEXT)).join('');
      if (rng.chance(0.3) && !Array.isArray(slot.holder)) {
        // In the key instead of the value.
        delete (slot.holder as Json)[slot.key as string];
        (slot.holder as Json)[insertAt(String(slot.key), rng, inserted)] = slot.value;
      } else {
        assign(slot, insertAt(slot.value as string, rng, inserted));
      }
      return JSON.stringify(record);
    }
    case 'invalid-percent-escapes': {
      const slot = stringSlot(rng, slots);
      if (!slot) return undefined;
      assign(slot, insertAt(slot.value as string, rng, rng.pick(BAD_ESCAPES)));
      return JSON.stringify(record);
    }
    case 'exec-with-invalid-escapes': {
      // The reproduced defect: an allowed exec whose command is not UTF-8.
      if (record.kind !== 'Event') return undefined;
      const command = Array.from({ length: rng.intBetween(1, 3) }, () => rng.pick(BAD_ESCAPES)).join('sh');
      Object.assign(record, {
        verb: 'create',
        stage: 'ResponseComplete',
        requestURI: `/api/v1/namespaces/payments/pods/checkout-1/exec?command=${command}&container=app`,
        objectRef: { resource: 'pods', subresource: rng.pick(['exec', 'attach', 'portforward']), namespace: 'payments', name: 'checkout-1', apiVersion: 'v1' },
        responseStatus: { code: 101 },
        annotations: { 'authorization.k8s.io/decision': 'allow' },
      });
      return JSON.stringify(record);
    }
    case 'odd-date': {
      const dates = slots.filter((slot) => typeof slot.value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(slot.value));
      if (dates.length === 0) return undefined;
      const chosen = rng.pick(dates);
      for (const slot of dates) if (slot === chosen || rng.chance(0.3)) assign(slot, rng.pick(ODD_DATES));
      return JSON.stringify(record);
    }
    case 'duplicated-key': {
      // JSON.parse keeps the last of two equal keys: before the original, the original wins; after it, the copy.
      const keys = Object.keys(record);
      if (keys.length === 0) return undefined;
      const text = JSON.stringify(record);
      const copy = `${JSON.stringify(rng.pick(keys))}:${JSON.stringify(rng.pick(WRONG_VALUES))}`;
      return rng.chance(0.5) ? `{${copy},${text.slice(1)}` : `${text.slice(0, -1)},${copy}}`;
    }
    case 'missing-key': {
      const slot = rng.pick(slots);
      if (Array.isArray(slot.holder)) slot.holder.splice(slot.key as number, 1);
      else delete slot.holder[slot.key as string];
      return JSON.stringify(record);
    }
  }
}

function drawKind(rng: Prng): MutationKind {
  const total = WEIGHTS.reduce((sum, [, weight]) => sum + weight, 0);
  let draw = rng.int(total);
  for (const [kind, weight] of WEIGHTS) {
    if (draw < weight) return kind;
    draw -= weight;
  }
  return WEIGHTS[0]![0];
}

/** Text-level kinds end a chain: their output is no longer a record to mutate further. */
const FINAL_KINDS = new Set<MutationKind>(['truncated', 'deep-nesting', 'deep-envelope', 'duplicated-key']);

/**
 * `count` variants of `records` (JSON objects), one or two mutations each. The same seed gives
 * the same variants.
 */
export function mutants(records: readonly Json[], count: number, seed: number): Mutant[] {
  const rng = new Prng(seed);
  const texts = records.map((record) => JSON.stringify(record));
  const out: Mutant[] = [];
  while (out.length < count) {
    const base = rng.int(records.length);
    let record = JSON.parse(texts[base]!) as Json;
    const kinds: MutationKind[] = [];
    let text: string | undefined;
    const steps = rng.chance(0.25) ? 2 : 1;
    for (let step = 0; step < steps; step++) {
      const kind = drawKind(rng);
      const next = apply(kind, record, rng);
      if (next === undefined) continue;
      kinds.push(kind);
      text = next;
      if (FINAL_KINDS.has(kind)) break;
      record = JSON.parse(next) as Json;
    }
    if (text !== undefined) out.push({ text, kinds, base });
  }
  return out;
}
