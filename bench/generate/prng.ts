/**
 * Seeded pseudo-random numbers (mulberry32): tiny, fast and reproducible, so the same
 * options always give byte-identical output. Never Math.random or the wall clock.
 */

const BYTE_HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Kubernetes generated names (pod suffixes, pod-template-hash) use this consonant-heavy alphabet. */
export const K8S_NAME_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
/** AWS access key ids and role ids use upper-case base32 characters after their prefix. */
export const AWS_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export class Prng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** One uniformly distributed unsigned 32-bit integer. */
  u32(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  /** An integer in [0, maxExclusive). */
  int(maxExclusive: number): number {
    return Math.floor(this.next() * maxExclusive);
  }

  /** An integer in [min, max] (both inclusive). */
  intBetween(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  /** A float in [min, max). */
  between(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)] as T;
  }

  /** `length` lower-case hex digits. */
  hex(length: number): string {
    let out = '';
    while (out.length < length) {
      const word = this.u32();
      out += hex32(word);
    }
    return out.length === length ? out : out.slice(0, length);
  }

  /** A random (version 4) UUID, as Kubernetes auditIDs and CloudTrail eventIDs are. */
  uuid(): string {
    const a = this.u32();
    const b = this.u32();
    const c = this.u32();
    const d = this.u32();
    return (
      hex32(a) +
      '-' +
      BYTE_HEX[b >>> 24]! +
      BYTE_HEX[(b >>> 16) & 0xff]! +
      '-4' +
      BYTE_HEX[(b >>> 8) & 0x0f]!.slice(1) +
      BYTE_HEX[b & 0xff]! +
      '-' +
      '89ab'[c >>> 30]! +
      BYTE_HEX[(c >>> 24) & 0x0f]!.slice(1) +
      BYTE_HEX[(c >>> 16) & 0xff]! +
      '-' +
      BYTE_HEX[(c >>> 8) & 0xff]! +
      BYTE_HEX[c & 0xff]! +
      hex32(d)
    );
  }

  /** `length` characters drawn from `alphabet`. */
  chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }
}

function hex32(word: number): string {
  return BYTE_HEX[word >>> 24]! + BYTE_HEX[(word >>> 16) & 0xff]! + BYTE_HEX[(word >>> 8) & 0xff]! + BYTE_HEX[word & 0xff]!;
}

/** FNV-1a: a stable 32-bit hash, used to derive per-name values (image digests) independent of draw order. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
