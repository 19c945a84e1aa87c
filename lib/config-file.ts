import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { configSchema } from '../functions/core/config.ts';

/** A deployment setting pivotguard cannot use: one line that names the setting or field. */
export class DeploymentConfigError extends Error {
  override name = 'DeploymentConfigError';
}

/**
 * Lambda allows 4 KB of environment in total; the configuration travels there as JSON, so it
 * gets most of it and the table names, ARNs and URLs the rest.
 */
const MAX_CONFIG_JSON_BYTES = 3072;

/**
 * Checks a pivotguard configuration document (already parsed from YAML or JSON) against the
 * schema the analyzer applies. Returns the document as given, not the schema's output: the
 * analyzer fills in the defaults itself, and the smaller document fits its environment.
 */
export function validateConfig(document: unknown, source: string): unknown {
  const parsed = configSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || ('keys' in issue ? issue.keys.join(', ') : '(top level)');
    throw new DeploymentConfigError(`${source}: ${field}: ${issue.message}`);
  }
  const bytes = Buffer.byteLength(JSON.stringify(document));
  if (bytes > MAX_CONFIG_JSON_BYTES) {
    throw new DeploymentConfigError(`${source}: is ${bytes} bytes as JSON; the analyzer's environment holds at most ${MAX_CONFIG_JSON_BYTES}`);
  }
  return document;
}

/** Reads and validates a YAML or JSON configuration file for deployment. */
export function loadConfigFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new DeploymentConfigError(`cannot read config ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let document: unknown;
  try {
    document = parse(text) ?? {};
  } catch (error) {
    throw new DeploymentConfigError(`config ${path} is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  return validateConfig(document, `config ${path}`);
}
