/**
 * npm's `prepare` step (it runs on `npm ci` and `npm install`) and `npm run build`: bundles the
 * command-line tool into dist/cli, so `pivotguard` starts without compiling TypeScript and
 * `replay --contain` without synthesizing the stack. bin/pivotguard.js runs the bundle only while
 * no source it was built from is newer.
 */
import { fileURLToPath } from 'node:url';
import { synthesizedDefinition } from './local/synthesized-workflow.ts';
import { bundleCli } from './cli-bundle.ts';

const OUTDIR = fileURLToPath(new URL('../dist/cli', import.meta.url));

async function loadEsbuild(): Promise<typeof import('esbuild') | undefined> {
  try {
    return await import('esbuild');
  } catch {
    return undefined;
  }
}

const esbuild = await loadEsbuild();
if (esbuild) {
  const sources = await bundleCli(esbuild, OUTDIR, synthesizedDefinition());
  console.log(`pivotguard: bundled the command into dist/cli from ${sources} sources`);
} else {
  // A production install (npm ci --omit=dev) has no esbuild: the command runs from its TypeScript sources.
  console.warn('pivotguard: esbuild is not installed, so the command runs from its TypeScript sources (slower to start)');
}
