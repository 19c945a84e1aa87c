import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { type Config, configSchema, defaultConfig } from '#core/config';
import { UsageError } from './usage-error.ts';

/** Reads a YAML or JSON configuration file; a bad one is a one-line error naming the field. */
export async function loadConfig(path: string | undefined): Promise<Config> {
  if (!path) return defaultConfig;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read config ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  let document: unknown;
  try {
    document = parse(text) ?? {};
  } catch (error) {
    throw new UsageError(`config ${path} is not valid YAML or JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  const parsed = configSchema.safeParse(document);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`config ${path}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}
