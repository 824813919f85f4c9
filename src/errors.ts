/** Typed errors; src/cli/main.ts maps them to messages and exit codes. */

export class AoError extends Error {
  /** process exit code this error maps to */
  readonly exitCode: number = 1;
}

/** Bad config: exit 2. Names the file and, where known, the line and column. */
export class ConfigError extends AoError {
  override readonly exitCode = 2;
  constructor(
    readonly file: string,
    message: string,
    readonly line?: number,
    readonly column?: number,
    /** the offending source line with a caret, when known */
    readonly excerpt?: string,
  ) {
    super(message);
    this.name = 'ConfigError';
  }

  /** further problems found in the same pass, reported together */
  others: ConfigError[] = [];

  /** `agents.toml:3:7: message` plus the excerpt, as printed to the user */
  format(relativeTo?: string): string {
    return this.each(relativeTo).join('\n');
  }

  /** each problem as printed (its excerpt on the lines after it) */
  each(relativeTo?: string): string[] {
    return [this, ...this.others].map((e) => e.formatOne(relativeTo));
  }

  private formatOne(relativeTo?: string): string {
    const file = relativeTo && this.file.startsWith(relativeTo + '/') ? this.file.slice(relativeTo.length + 1) : this.file;
    const where = this.line ? `${file}:${this.line}${this.column ? `:${this.column}` : ''}` : file;
    return `${where}: ${this.message}${this.excerpt ? `\n${this.excerpt}` : ''}`;
  }

  static all(errors: ConfigError[]): ConfigError {
    const [first, ...rest] = errors;
    if (!first) throw new Error('ConfigError.all needs at least one error');
    first.others = rest;
    return first;
  }
}

/** Bad command-line usage: exit 2. */
export class UsageError extends AoError {
  override readonly exitCode = 2;
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A tmux command failed. */
export class TmuxError extends AoError {
  constructor(
    readonly args: readonly string[],
    readonly code: number | null,
    readonly stderr: string,
  ) {
    super(`tmux ${args.join(' ')} failed${code === null ? '' : ` (exit ${code})`}: ${stderr.trim() || 'no output'}`);
    this.name = 'TmuxError';
  }
}

/** A runtime failure with a message meant for the user: exit 1. */
export class RuntimeError extends AoError {
  constructor(message: string) {
    super(message);
    this.name = 'RuntimeError';
  }
}
