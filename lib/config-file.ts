import { readFileSync } from 'node:fs';
import { ConfigError, parseConfigText, validateConfigDocument } from '../functions/core/config-text.ts';

/** A deployment setting pivotguard cannot use: one line that names the setting or field. */
export class DeploymentConfigError extends Error {
  override name = 'DeploymentConfigError';
}

/**
 * Lambda allows 4 KB of environment in total; the configuration travels there as JSON, so it
 * gets most of it and the table names, ARNs and URLs the rest.
 */
const MAX_CONFIG_JSON_BYTES = 3072;

/** Reads and validates a YAML or JSON configuration file for deployment; returns the document as written. */
export function loadConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DeploymentConfigError(`cannot read config ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return fitsEnvironment(parseConfigText(text, `config ${path}`).document, `config ${path}`);
  } catch (error) {
    throw error instanceof ConfigError ? new DeploymentConfigError(error.message) : error;
  }
}

/**
 * The analyzer gets the document as written, not the schema's output: it fills in the defaults
 * itself, and the smaller document fits its environment.
 */
export function fitsEnvironment(document: unknown, source: string): unknown {
  const bytes = Buffer.byteLength(JSON.stringify(document));
  if (bytes > MAX_CONFIG_JSON_BYTES) {
    throw new DeploymentConfigError(`${source}: is ${bytes} bytes as JSON; the analyzer's environment holds at most ${MAX_CONFIG_JSON_BYTES}`);
  }
  return document;
}

/** Checks a configuration document given to the construct directly. */
export function validateConfig(document: unknown, source: string): unknown {
  try {
    validateConfigDocument(document, source);
  } catch (error) {
    throw error instanceof ConfigError ? new DeploymentConfigError(error.message) : error;
  }
  return fitsEnvironment(document, source);
}
