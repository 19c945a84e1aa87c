import { readFileSync } from 'node:fs';
import { ConfigError, parseConfigText, validateConfigDocument } from '../functions/core/config-text.ts';

/** A deployment setting pivotguard cannot use: one line that names the setting or field. */
export class DeploymentConfigError extends Error {
  override name = 'DeploymentConfigError';
}

/** The configuration travels as one SSM parameter: an advanced-tier parameter holds at most 8 KB. */
export const MAX_CONFIG_JSON_BYTES = 8192;

/** Reads and validates a YAML or JSON configuration file for deployment; returns the document as written. */
export function loadConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DeploymentConfigError(`cannot read config ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    return fitsParameter(parseConfigText(text, `config ${path}`).document, `config ${path}`);
  } catch (error) {
    throw error instanceof ConfigError ? new DeploymentConfigError(error.message) : error;
  }
}

/**
 * The functions get the document as written, not the schema's output: they fill in the defaults
 * themselves, and the smaller document fits one parameter.
 */
export function fitsParameter(document: unknown, source: string): unknown {
  const bytes = Buffer.byteLength(JSON.stringify(document));
  if (bytes > MAX_CONFIG_JSON_BYTES) {
    throw new DeploymentConfigError(`${source}: is ${bytes} bytes as JSON; the configuration parameter holds at most ${MAX_CONFIG_JSON_BYTES}`);
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
  return fitsParameter(document, source);
}
