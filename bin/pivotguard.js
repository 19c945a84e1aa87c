#!/usr/bin/env node
// Runs the TypeScript command-line tool directly: no build step between `npm ci` and `npx pivotguard`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
