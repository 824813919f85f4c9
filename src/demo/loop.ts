/**
 * What one iteration of a demo loop role (builder or adversary) works with:
 * this phase's files, from the environment ao launches it with, a pane to
 * print to and a paced step that reports when the agent was stopped.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { parsePlan, type DemoPlan, type Found, type PlanItem } from './plan.js';

export interface PhaseFiles {
  stateDir: string;
  phase: string;
  plan: string;
  journal: string;
  review: string;
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
  return { stateDir: get('stateDir'), phase: get('phase'), plan: get('plan'), journal: get('journal'), review: get('review') };
}

const errorCode = (err: unknown): string | undefined => (err as NodeJS.ErrnoException | null)?.code;

export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** A file's text, '' when it does not exist yet (a phase's journal and review start missing). */
export async function readText(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return '';
    throw err;
  }
}

/**
 * The absolute path of a plan item. Plan paths are checked when the plan is
 * parsed; this second check keeps a missed case from writing outside.
 */
export function itemFile(stateDir: string, item: PlanItem): string {
  const file = resolve(stateDir, item.path);
  const rel = relative(resolve(stateDir), file);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw new Error(`\`${item.path}\` is not inside the state folder`);
  return file;
}

export async function readFound(file: string): Promise<Found> {
  try {
    return { kind: 'text', text: await readFile(file, 'utf8') };
  } catch (err) {
    const code = errorCode(err) ?? 'error';
    return code === 'ENOENT' ? { kind: 'missing' } : { kind: 'unreadable', code };
  }
}

export async function writeItem(stateDir: string, item: PlanItem): Promise<void> {
  const file = itemFile(stateDir, item);
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, `${item.content}\n`);
}

/**
 * Appends in one write, starting on a line of its own: ao polls these files,
 * and must never see a fail verdict without its reasons, or half a marker.
 */
export async function appendBlock(file: string, block: string): Promise<void> {
  const before = await readText(file);
  const sep = before === '' || before.endsWith('\n') ? '' : '\n';
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, `${sep}${block.endsWith('\n') ? block : `${block}\n`}`);
}

export const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** The phase plan, or null (said in the pane, after a step) when it cannot be read. */
export async function readPlan(ctx: LoopContext): Promise<DemoPlan | null> {
  try {
    return parsePlan(await readFile(ctx.files.plan, 'utf8'));
  } catch (err) {
    ctx.say(`cannot read the plan: ${errorMessage(err)}`);
    await ctx.step();
    return null;
  }
}
