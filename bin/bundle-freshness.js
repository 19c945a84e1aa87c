// Whether the bundle npm's prepare step built (dist/cli) may run: plain JavaScript, because it is
// asked before anything can compile TypeScript.
import { readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const BUNDLE_ENTRY = new URL('../dist/cli/main.js', import.meta.url);

/** The bundle exists and is at least as new as every file it was built from (dist/cli/sources.json). */
export function bundleIsFresh() {
  try {
    const built = statSync(BUNDLE_ENTRY).mtimeMs;
    const sources = JSON.parse(readFileSync(new URL('../dist/cli/sources.json', import.meta.url), 'utf8'));
    return sources.every((source) => statSync(ROOT + source).mtimeMs <= built);
  } catch {
    return false;
  }
}
