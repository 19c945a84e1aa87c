import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as Esbuild from 'esbuild';
import { NODE_ESM_BUNDLE } from '../lib/node-esm-bundle.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * Left to node_modules: the CDK is only loaded to synthesize the definition when the bundle has
 * none (never, once built), and bundling it would copy hundreds of megabytes for nothing.
 */
const EXTERNAL = ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs'];

/** Files whose change makes the bundle stale besides the sources esbuild read. */
const ALSO_WATCHED = ['package.json', 'package-lock.json'];

/**
 * Bundles the command-line tool into `outdir` (main.js and a chunk per command, ES modules with
 * source maps), with the containment state machine's synthesized `definition` built in, and lists
 * the sources it was built from in sources.json for bin/bundle-freshness.js. Returns how many.
 */
export async function bundleCli(esbuild: typeof Esbuild, outdir: string, definition: Record<string, unknown>): Promise<number> {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  const result = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: { main: 'bin/cli/main.ts' },
    outdir,
    // Split: each command stays its own chunk, so --help loads only the entry.
    ...NODE_ESM_BUNDLE,
    external: EXTERNAL,
    define: { PIVOTGUARD_PREBUILT_DEFINITION: JSON.stringify(JSON.stringify(definition)) },
    // Traces point into the TypeScript sources when PIVOTGUARD_DEBUG turns source maps on.
    sourcemap: 'linked',
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
  });
  const bundled = Object.keys(result.metafile.inputs).filter((input) => !input.includes('node_modules/'));
  const sources = [...new Set([...bundled, ...ALSO_WATCHED].map((input) => relative(ROOT, join(ROOT, input))))].sort();
  await writeFile(join(outdir, 'sources.json'), `${JSON.stringify(sources, null, 1)}\n`);
  return sources.length;
}
