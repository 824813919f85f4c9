import stripAnsi from 'strip-ansi';

/** C0 controls that neither end a line nor take part in an escape sequence (kept: \t \n BEL CAN SUB ESC). */
// eslint-disable-next-line no-control-regex
const INERT_CONTROLS = /[\x00-\x06\x08\x0b-\x17\x19\x1c-\x1f\x7f]/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/g;

/**
 * Text made safe to show in a terminal or paste into a pane: escape sequences
 * and every control character but newline and tab removed. Nothing survives
 * that a terminal would act on (no ESC, no C1 control), so neither can a
 * bracketed-paste marker (ESC[200~, ESC[201~).
 */
export function stripControls(text: string): string {
  // Inert controls go first so they cannot split a sequence (ESC NUL [201~);
  // stripping repeats because removing one sequence can join the pieces of another.
  let clean = text.replace(INERT_CONTROLS, '');
  for (let previous = ''; previous !== clean;) {
    previous = clean;
    clean = stripAnsi(clean);
  }
  return clean.replace(CONTROLS, '');
}
