import type { BuildOptions } from 'esbuild';

/**
 * What every pivotguard bundle shares, the Lambda handlers' and the CLI's: one ESM program (and its
 * split chunks) for Node 22, which the Lambda runtime and the project's engines field name.
 */
export const NODE_ESM_BUNDLE = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  // esbuild's ESM output has no `require`; CommonJS dependencies that require Node built-ins need one.
  banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
  splitting: true,
} satisfies BuildOptions;
