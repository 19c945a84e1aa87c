#!/usr/bin/env node
// Runs the bundle npm's prepare step built (dist/cli), which starts in a fraction of a second, while
// no source it was built from is newer; otherwise the TypeScript sources through tsx, so an edited
// source always runs as edited (`npm run build` brings the fast start back).
import { BUNDLE_ENTRY, bundleIsFresh } from './bundle-freshness.js';

const debug = process.env.PIVOTGUARD_DEBUG === '1' || process.env.PIVOTGUARD_DEBUG === 'true';

const [major] = process.versions.node.split('.').map(Number);
if (major < 22) {
  // The AWS SDK says the same in eight lines on every AWS call; once, in one line, is enough.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  if (process.stderr.isTTY)
    process.stderr.write(
      `pivotguard: Node ${process.versions.node} is past end of life; pivotguard is built for Node 22 (package.json engines): upgrade when you can\n`,
    );
}

try {
  let main;
  if (bundleIsFresh()) {
    if (debug) process.setSourceMapsEnabled(true);
    ({ main } = await import(BUNDLE_ENTRY.href));
  } else {
    const { register } = await import('tsx/esm/api');
    register();
    ({ main } = await import('./cli/main.ts'));
  }
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  // Only a broken installation gets here: main() turns every failure into one line itself.
  process.stderr.write(`pivotguard: cannot start: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}; reinstall with npm ci\n`);
  if (debug) process.stderr.write(`${error?.stack ?? error}\n`);
  process.exitCode = 1;
}
