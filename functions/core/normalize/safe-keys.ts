/** Keys that, assigned with `object[key] = …`, reach an object's prototype instead of the object. */
const PROTOTYPE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** Whether a key read from a record may be assigned to an object we build: records are attacker text. */
export function isSafeKey(key: string | number): boolean {
  return typeof key === 'number' || !PROTOTYPE_KEYS.has(key);
}
