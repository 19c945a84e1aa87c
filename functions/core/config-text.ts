import { parse } from 'yaml';
import { type Config, configSchema } from './config.ts';

/** A configuration pivotguard cannot use, in one line that names the file and the field. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses a YAML or JSON configuration text and validates it. Returns both the document as
 * written (small: what a deployment carries) and the config with its defaults.
 */
export function parseConfigText(text: string, source: string): { document: unknown; config: Config } {
  let document: unknown;
  try {
    document = parse(text) ?? {};
  } catch (error) {
    throw new ConfigError(`${source} is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  return { document, config: validateConfigDocument(document, source) };
}

/** Validates an already parsed configuration document; the error names the first bad field. */
export function validateConfigDocument(document: unknown, source: string): Config {
  const parsed = configSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.join('.') || ('keys' in issue ? issue.keys.join(', ') : '(top level)');
    throw new ConfigError(`${source}: ${field}: ${issue.message}`);
  }
  return parsed.data;
}
