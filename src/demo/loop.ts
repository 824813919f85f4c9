/**
 * What one iteration of a demo loop role (builder or adversary) works with:
 * this phase's files, from the environment ao launches it with, a pane to
 * print to and a paced step that reports when the agent was stopped.
 */
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { appendText, ensureDir, readTextCapped, TEXT_CAP, writeAtomic } from '../state/safe-fs.js';
import { parsePlan, type DemoPlan, type Found, type PlanItem } from './plan.js';

export interface PhaseFiles {
  stateDir: string;
  phase: string;
  plan: string;
  journal: string;
  review: string;
  /** the agent's own git worktree (AO_WORKTREE): a builder's work goes there, committed, and its claim names the commit */
  worktree?: string;
  /** set (AO_CLAIM_SHA, '' while none is open) only where the gate is bound to commits: the commit to review */
  claimSha?: string;
}

export interface LoopContext {
  files: PhaseFiles;
  /** prints one line to the pane, tagged with the agent's name */
  say(text: string): void;
  /** waits one pace; false when the agent was stopped meanwhile (then end at once) */
  step(): Promise<boolean>;
  now(): Date;
}

const ENV_KEYS = { stateDir: 'AO_STATE_DIR', phase: 'AO_PHASE', plan: 'AO_PLAN', journal: 'AO_JOURNAL', review: 'AO_REVIEW' } as const;

/** This phase's files from ao's environment, or the names of the variables that are missing. */
export function phaseFiles(env: NodeJS.ProcessEnv): PhaseFiles | { missing: string[] } {
  const missing = Object.values(ENV_KEYS).filter((key) => !env[key]);
  if (missing.length > 0) return { missing };
  const get = (key: keyof typeof ENV_KEYS): string => env[ENV_KEYS[key]]!;
  return {
    stateDir: get('stateDir'),
    phase: get('phase'),
    plan: get('plan'),
    journal: get('journal'),
    review: get('review'),
    ...(env['AO_WORKTREE'] ? { worktree: env['AO_WORKTREE'] } : {}),
    ...(env['AO_CLAIM_SHA'] !== undefined ? { claimSha: env['AO_CLAIM_SHA'] } : {}),
  };
}

const errorCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** A file's text, '' when it does not exist yet (a phase's journal and review start missing); a link, a FIFO or one past TEXT_CAP throws. */
export async function readText(file: string): Promise<string> {
  return Promise.resolve(readTextCapped(file, TEXT_CAP) ?? '');
}

/**
 * The absolute path of a plan item under `root` (the state folder, or the
 * builder's worktree). Plan paths are checked when the plan is parsed; this
 * second check keeps a missed case from writing outside.
 */
export function itemFile(root: string, item: PlanItem): string {
  const file = resolve(root, item.path);
  const rel = relative(resolve(root), file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new Error(`\`${item.path}\` is not inside ${root}`);
  return file;
}

export async function readFound(file: string): Promise<Found> {
  try {
    const text = readTextCapped(file, TEXT_CAP);
    return Promise.resolve(text === null ? { kind: 'missing' } : { kind: 'text', text });
  } catch (err) {
    const code = errorCode(err) ?? 'error';
    return code === 'ENOENT' ? { kind: 'missing' } : { kind: 'unreadable', code };
  }
}

export async function writeItem(root: string, item: PlanItem): Promise<void> {
  // through the root's own folders only, never a link: an atomic write (0600) replaces what is there
  writeAtomic(itemFile(root, item), `${item.content}\n`, { root: resolve(root) });
  return Promise.resolve();
}

/**
 * Appends in one write, starting on a line of its own: ao polls these files,
 * and must never see a fail verdict without its reasons, or half a marker.
 */
export async function appendBlock(file: string, block: string): Promise<void> {
  const before = await readText(file);
  const sep = before === '' || before.endsWith('\n') ? '' : '\n';
  ensureDir(dirname(file));
  appendText(file, `${sep}${block.endsWith('\n') ? block : `${block}\n`}`);
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The phase plan, or null (said in the pane, after a step) when it cannot be read. */
export async function readPlan(ctx: LoopContext): Promise<DemoPlan | null> {
  try {
    const text = readTextCapped(ctx.files.plan, TEXT_CAP);
    if (text === null) throw new Error(`${ctx.files.plan} does not exist`);
    return parsePlan(text);
  } catch (err) {
    ctx.say(`cannot read the plan: ${errorMessage(err)}`);
    await ctx.step();
    return null;
  }
}
