/**
 * What `zod` resolves to in the Lambda bundles (HANDLER_BUNDLE_OPTIONS.alias in lib/function.ts):
 * zod's classic API without its 40-odd locales. `import { z } from 'zod'` makes esbuild keep the
 * whole `z` namespace object, so every module it reaches; here that namespace is classic.ts's.
 */
import * as z from './classic.ts';

export * from './classic.ts';
export { z, z as default };
