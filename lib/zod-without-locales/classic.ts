/**
 * zod's classic API less the two namespaces that reach every locale: `locales`, and `core`
 * (whose own `locales` does). A module's own exports win over `export *`. Error messages stay
 * English, which zod registers itself; pivotguard uses neither namespace.
 */
export * from '../../node_modules/zod/v4/classic/external.js';
export const locales = undefined;
export const core = undefined;
