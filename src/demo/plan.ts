/**
 * What the demo builder and adversary agree on, as pure functions: the demo
 * plan format, the fail-reason format (the adversary writes it, the builder
 * reads it back), and where the gate stands. Marker lines are parsed by
 * src/phases/gate.ts only.
 *
 * A demo plan has a `## Build` section and a `## Review` section; their items
 * are `- \`relative/path\`: content` (one line, the path relative to the state
 * folder). The builder writes the Build items; the adversary checks both.
 */
import { parseClaims, parseVerdicts, type Verdict } from '../phases/gate.js';

export interface PlanItem {
  path: string;
  content: string;
}

export interface DemoPlan {
  build: PlanItem[];
  /** extra checks of the adversary's; the builder does not read them */
  review: PlanItem[];
  refused: Array<{ path: string; why: string }>;
}

const ITEM = /^\s*[-*] `([^`]+)`: (.*\S)\s*$/;

/** Why a plan path may not be used (null when it may): it must stay inside the state folder. */
export function refusePath(path: string): string | null {
  if (path.trim() === '') return 'the path is empty';
  if (/^([A-Za-z]:)?[\\/]/.test(path)) return 'absolute paths are refused: paths are relative to the state folder';
  if (path.split(/[\\/]/).includes('..')) return '`..` is refused: the path would leave the state folder';
  return null;
}

export function parsePlan(text: string): DemoPlan {
  const plan: DemoPlan = { build: [], review: [], refused: [] };
  let section: PlanItem[] | null = null;
  let fenced = false;
  for (const line of text.split(/\r?\n/)) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const heading = /^(#+)\s+(.*?)\s*$/.exec(line);
    if (heading) {
      const title = heading[2]!.toLowerCase();
      section = heading[1] === '##' && title === 'build' ? plan.build : heading[1] === '##' && title === 'review' ? plan.review : null;
      continue;
    }
    const item = section === null ? null : ITEM.exec(line);
    if (!item || section === null) continue; // prose
    const path = item[1]!;
    const why = refusePath(path);
    if (why !== null) plan.refused.push({ path, why });
    else section.push({ path, content: item[2]!.trim() });
  }
  return plan;
}

/** What the adversary found at an item's path. */
export type Found = { kind: 'missing' } | { kind: 'text'; text: string } | { kind: 'unreadable'; code: string };

export const matches = (item: PlanItem, found: Found): boolean => found.kind === 'text' && found.text.trim() === item.content;

const FOUND_MAX = 60;

function describeFound(found: Found): string {
  if (found.kind === 'missing') return 'nothing';
  if (found.kind === 'unreadable') return `no readable file (${found.code})`;
  const text = found.text.trim();
  return JSON.stringify(text.length > FOUND_MAX ? `${text.slice(0, FOUND_MAX - 1)}…` : text);
}

/**
 * The reason line of a failed item (without its `- `):
 *   `sandbox/NOTES.md`: expected "greet.txt says hello", found nothing
 * The expected content is a JSON string, so any content reads back exactly.
 */
export function failReason(item: PlanItem, found: Found): string {
  return `\`${item.path}\`: expected ${JSON.stringify(item.content)}, found ${describeFound(found)}`;
}

const REASON = /^`([^`]+)`: expected ("(?:[^"\\]|\\.)*")(?:, found .*)?$/;

/** The item a reason line names, or null for a reason of another form (or a refused path). */
export function parseReason(reason: string): PlanItem | null {
  const m = REASON.exec(reason.trim());
  if (!m || refusePath(m[1]!) !== null) return null;
  try {
    const content: unknown = JSON.parse(m[2]!);
    return typeof content === 'string' ? { path: m[1]!, content } : null;
  } catch {
    return null;
  }
}

/** A finding for the review entry (free text, not a reason line). */
export function describeFinding(item: PlanItem, found: Found): string {
  return matches(item, found) ? `\`${item.path}\`: ok` : failReason(item, found);
}

export interface GateView {
  claims: number;
  /** the commit the newest claim names (a commit-bound gate), as written */
  claimToken?: string;
  /** a claim waits for its verdict */
  open: boolean;
  /** the newest verdict on this phase */
  last: Verdict | undefined;
}

/**
 * Where the gate of `phase` stands, from the files alone. The protocol
 * alternates (a claim while one is open, and a verdict with none open, are
 * ignored), so verdict i answers claim i: a claim is open when there are more
 * claims than verdicts. (For files that follow the protocol this is what the
 * watchdog's stepGate concludes too; the demo also needs the newest verdict.)
 */
export function viewGate(journal: string, review: string, phase: string, commits = false): GateView {
  const claims = parseClaims(journal, phase, commits);
  const verdicts = parseVerdicts(review, phase, commits);
  const token = claims.at(-1)?.token;
  return { claims: claims.length, open: claims.length > verdicts.length, last: verdicts.at(-1), ...(token ? { claimToken: token } : {}) };
}

/** The items a failed newest verdict names, to build again. */
export function itemsToFix(view: GateView): PlanItem[] {
  if (view.open || view.last === undefined || view.last.pass) return [];
  return view.last.reasons.flatMap((r) => parseReason(r) ?? []);
}

/** Later items replace earlier ones of the same path. */
export function mergeItems(...lists: PlanItem[][]): PlanItem[] {
  const byPath = new Map<string, PlanItem>();
  for (const item of lists.flat()) {
    byPath.delete(item.path);
    byPath.set(item.path, item);
  }
  return [...byPath.values()];
}
