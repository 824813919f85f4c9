/**
 * Pure: secrets taken out of bytes before they leave the machine (`ao bundle`).
 * Two kinds: values known by name (agents.toml `env` values, the agents'
 * environment whose names look secret, the webhook's path and query), and
 * strings shaped like well-known keys. Each becomes `[redacted]`; what was
 * redacted is counted by its name, never kept by value. Works on any bytes
 * (a pane log is not always UTF-8): they are matched as latin1, one char a byte.
 */

export const REDACTED = '[redacted]';

/** A value to take out, and the name it is listed under (`agents.builder.env.ANTHROPIC_API_KEY`). */
export interface Secret {
  name: string;
  value: string;
}

/** Names whose values are secrets whatever their length. */
export const SECRET_NAME = /KEY|TOKEN|SECRET|PASSWORD|CREDENTIAL/i;

/** The shapes of well-known keys, each with the name it is listed under. */
const SHAPES: ReadonlyArray<{ name: string; pattern: RegExp; keep?: string }> = [
  { name: 'sk-ant-… (an Anthropic key)', pattern: /\bsk-ant-[A-Za-z0-9_-]{4,}/g },
  { name: 'sk-… (an OpenAI-style key)', pattern: /\bsk-[A-Za-z0-9_-]{16,}/g },
  { name: 'ghp_… (a GitHub token)', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,})/g },
  { name: 'xox…-… (a Slack token)', pattern: /\bxox[abposr]-[A-Za-z0-9-]{6,}/g },
  { name: 'AIza… (a Google API key)', pattern: /\bAIza[0-9A-Za-z_-]{20,}/g },
  { name: 'Bearer … (a bearer token)', pattern: /\b(Bearer\s+)[A-Za-z0-9._~+/-]{8,}=*/gi, keep: '$1' },
];

/** A value's bytes as the latin1 string it is matched as. */
const asBytes = (text: string): string => Buffer.from(text, 'utf8').toString('latin1');

export class Redactor {
  /** times each name was redacted, over every file */
  readonly counts = new Map<string, number>();
  private readonly values: Array<{ name: string; bytes: string }>;

  constructor(secrets: readonly Secret[]) {
    // the longest first: a value that contains another is taken out whole
    this.values = secrets
      .filter((s) => s.value.length > 0)
      .map((s) => ({ name: s.name, bytes: asBytes(s.value) }))
      .sort((a, b) => b.bytes.length - a.bytes.length);
  }

  /** The bytes with every secret replaced, and how many were. */
  redact(bytes: Buffer): { bytes: Buffer; redacted: number } {
    let text = bytes.toString('latin1');
    let redacted = 0;
    const count = (name: string, n: number): void => {
      if (n === 0) return;
      redacted += n;
      this.counts.set(name, (this.counts.get(name) ?? 0) + n);
    };
    for (const { name, bytes: value } of this.values) {
      const parts = text.split(value);
      count(name, parts.length - 1);
      text = parts.join(REDACTED);
    }
    for (const { name, pattern, keep } of SHAPES) {
      let n = 0;
      text = text.replace(pattern, (...match: string[]) => {
        n++;
        return keep ? `${match[1] ?? ''}${REDACTED}` : REDACTED;
      });
      count(name, n);
    }
    return { bytes: redacted > 0 ? Buffer.from(text, 'latin1') : bytes, redacted };
  }
}
