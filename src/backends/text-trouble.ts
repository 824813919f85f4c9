/**
 * Provider trouble of a CLI that prints its errors as text only (opencode,
 * aider): the words in the tail of its output, where its last error sits.
 * The phrases of each CLI and version are in docs/CLI-VERSIONS.md. Pure.
 */
import { NO_TROUBLE, oneLine, tailLines, type Trouble, type TroubleKind } from './trouble.js';

export type TroubleWords = Partial<Record<TroubleKind, RegExp>>;

/** most specific first: a usage limit is also a 429 */
const ORDER: readonly TroubleKind[] = ['usage-limit', 'auth', 'rate-limit', 'overload'];

// eslint-disable-next-line no-control-regex -- the colours a CLI prints around its error
const SGR = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** The most specific kind of trouble `text` names, or null. */
export function troubleKind(words: TroubleWords, text: string): TroubleKind | null {
  return ORDER.find((k) => words[k]?.test(text) === true) ?? null;
}

/** The trouble the newest of the last `lines` non-empty lines of `output` names, and that line. */
export function wordsTrouble(words: TroubleWords, output: string, exitStatus: number | null, lines = 12): Trouble {
  if (exitStatus === 0) return NO_TROUBLE;
  const tail = tailLines(output.replace(SGR, ''), lines).split('\n').reverse();
  // the newest line that names trouble; within a line the most specific kind
  for (const line of tail) {
    const kind = troubleKind(words, line);
    if (kind !== null) return { kind, resetAt: null, message: oneLine(line) };
  }
  return NO_TROUBLE;
}
