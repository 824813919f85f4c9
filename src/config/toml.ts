import { readFileSync } from 'node:fs';
import { parse, TomlError } from 'smol-toml';
import { ConfigError } from '../errors.js';
import { capText } from '../text/safe.js';
import { excerpt, EXCERPT_WIDTH } from './locate.js';

/** Reads and parses a TOML file of ao's (agents.toml, fleet.toml); a syntax error names its line and column. */
export function readToml(file: string): { source: string; data: unknown } {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(file, `cannot read the config: ${(error as Error).message}`);
  }
  try {
    return { source, data: parse(source) };
  } catch (error) {
    if (error instanceof TomlError) {
      const what = capText((error.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, ''), EXCERPT_WIDTH);
      throw new ConfigError(file, `TOML syntax: ${what}`, error.line, error.column, excerpt(source, error.line, error.column));
    }
    throw error;
  }
}
