/**
 * The one safe-text rule (DESIGN §4.13): text that came from an agent, a file,
 * a pane or the config reaches a person only through these functions. Pure and
 * import-free, so every folder may use them.
 *
 * What is removed: escape sequences in their 7-bit (ESC [, ESC ], ESC P, …) and
 * 8-bit forms (the code points U+0080–U+009F: CSI 0x9b, OSC 0x9d, DCS 0x90,
 * SOS 0x98, PM 0x9e, APC 0x9f, ST 0x9c) with their parameters and payload, then
 * every C0 and C1 control but newline and tab, DEL, and the bidirectional
 * formatting characters (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069), which
 * reorder what is shown so that text reads other than it is (Trojan Source).
 * U+2028/U+2029 become plain spaces. Removing only deletes, so nothing a
 * terminal acts on can survive or be joined together from the pieces.
 */

/** anything the scanner has to look at; text without it comes back as it is */
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

const [LF, TAB, BEL, CAN, SUB, ESC, DEL] = [0x0a, 0x09, 0x07, 0x18, 0x1a, 0x1b, 0x7f];
const [CSI8, ST8] = [0x9b, 0x9c];
/** the 8-bit introducers of a control string: DCS, SOS, OSC, PM, APC */
const STRING8 = new Set([0x90, 0x98, 0x9d, 0x9e, 0x9f]);
/** after ESC: the letters that open a control string (OSC ], DCS P, SOS X, PM ^, APC _) */
const STRING7 = new Set([0x5d, 0x50, 0x58, 0x5e, 0x5f]);

/** where the scanner stands: in text, after ESC, in a CSI sequence, in a control string */
const State = { Ground: 0, Escape: 1, Csi: 2, String: 3 } as const;

const isBidi = (c: number): boolean => c === 0x061c || c === 0x200e || c === 0x200f || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
/** a code point never shown as it is */
const isControl = (c: number): boolean => (c < 0x20 && c !== LF && c !== TAB) || (c >= DEL && c <= 0x9f) || isBidi(c);

/**
 * Text safe for a terminal, lines and tabs kept: escape sequences and controls removed.
 * Inside a sequence the controls a terminal would execute there (NUL, LF, …) do not end it
 * (`ESC NUL ]52;…` is still OSC 52); CAN and SUB cancel it; ESC starts a new one, so nested
 * sequences go whole. A control string (OSC, DCS, …) ends at BEL, ST or, unlike a terminal,
 * at a newline, so one unterminated string does not hide the lines after it.
 */
export function safeText(text: string): string {
  if (!UNSAFE.test(text)) return text;
  let out = '';
  let state: number = State.Ground;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === ESC) {
      state = State.Escape;
      continue;
    }
    if (c === CAN || c === SUB) {
      state = State.Ground;
      continue;
    }
    if (state === State.Ground) {
      if (c === CSI8) state = State.Csi;
      else if (STRING8.has(c)) state = State.String;
      else if (c === 0x2028 || c === 0x2029) out += ' ';
      else if (!isControl(c)) out += text[i];
    } else if (state === State.String) {
      if (c === BEL || c === ST8) state = State.Ground;
      else if (c === LF) {
        state = State.Ground;
        out += '\n';
      }
    } else if (c < 0x20) {
      // executed inside an escape or CSI sequence without ending it
      if (c === LF || c === TAB) out += text[i];
    } else if (c === DEL) {
      // ignored inside a sequence
    } else if (state === State.Escape) {
      if (c === 0x5b) state = State.Csi;
      else if (STRING7.has(c)) state = State.String;
      else if (c >= 0x30 && c <= 0x7e) state = State.Ground;
      else if (c > DEL) {
        state = State.Ground;
        i -= 1; // not part of the sequence: read it again as text
      }
    } else if (c >= 0x40 && c <= 0x7e) state = State.Ground;
    else if (c > DEL) {
      state = State.Ground;
      i -= 1;
    }
  }
  return out;
}

/** One line of safe text, for a table cell or a log line: newlines and tabs become spaces. */
export function safeLine(text: string): string {
  return safeText(text).replace(/[\n\t]/g, ' ');
}

/** How long a name (of an agent, a phase, a hook, a key) may be where it is shown. */
export const NAME_MAX = 64;

/** At most `max` UTF-16 units, the cut marked with `…` and never inside a surrogate pair. */
export function capText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max - 1);
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}

/** A name as shown: one safe line of at most NAME_MAX characters. */
export const safeName = (text: string): string => capText(safeLine(text), NAME_MAX);

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe text for HTML: the same rule as for a terminal, then the markup characters escaped. */
export function escapeHtml(text: string): string {
  return safeText(text).replace(/[&<>"']/g, (c) => HTML[c] ?? c);
}

const JSON_UNSAFE = /[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON for a terminal or a pipe: JSON.stringify escapes C0 controls (ESC as \u001b) but
 * writes DEL, the C1 controls and the bidi characters raw; these become \u escapes
 * too. The value read back is the same; the text holds no control.
 */
export function jsonText(value: unknown, space?: number): string {
  return JSON.stringify(value, null, space).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A plain value with every string in it (object keys too) made safe text; what holds
 * nothing to remove comes back as the same object, so an unchanged value stays equal.
 */
export function safeDeep<T>(value: T): T {
  if (typeof value === 'string') return safeText(value) as T;
  if (Array.isArray(value)) {
    let changed = false;
    const next = value.map((item: unknown) => {
      const clean = safeDeep(item);
      if (clean !== item) changed = true;
      return clean;
    });
    return (changed ? next : value) as T;
  }
  if (value === null || typeof value !== 'object') return value;
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) return value;
  let changed = false;
  const next: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const [cleanKey, clean] = [safeText(key), safeDeep(item)];
    if (cleanKey !== key || clean !== item) changed = true;
    next[cleanKey] = clean;
  }
  return (changed ? next : value) as T;
}
