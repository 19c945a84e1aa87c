import { readFile } from 'node:fs/promises';
import { type Config, defaultConfig } from '#core/config';
import { ConfigError, parseConfigText } from '#core/config-text';
import { UsageError } from './usage-error.ts';

/** Reads a YAML or JSON configuration file; a bad one is a one-line error naming the field. */
export async function loadConfig(path: string | undefined): Promise<Config> {
  if (!path) return defaultConfig;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a folder' : (error as Error).message;
    throw new UsageError(`cannot read config ${path}: ${why}`);
  }
  try {
    return parseConfigText(text, `config ${path}`).config;
  } catch (error) {
    throw error instanceof ConfigError ? new UsageError(error.message) : error;
  }
}
