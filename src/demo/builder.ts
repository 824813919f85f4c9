/**
 * One iteration of the demo builder (docs/PROTOCOL.md): build the plan's
 * Build list, plus what the newest failing review names, write a journal
 * entry and claim the gate. While a claim waits for its verdict it only says
 * so and ends.
 */
import { basename } from 'node:path';
import { claimAt, claimLine } from '../phases/gate.js';
import { commitWork } from './commits.js';
import { itemsToFix, mergeItems, viewGate, type PlanItem } from './plan.js';
import { appendBlock, plural, readPlan, readText, writeItem, type LoopContext } from './loop.js';

function journalEntry(at: Date, phase: string, attempt: number, built: PlanItem[], fixes: PlanItem[]): string {
  const fromReview = new Set(fixes.map((i) => i.path));
  const why =
    fixes.length > 0
      ? `The review failed my last claim and named ${plural(fixes.length, 'file')} to fix, so besides the plan's Build list I wrote what it asked for.`
      : attempt === 1
        ? `First attempt at phase ${phase}: I wrote the plan's Build list.`
        : `The last review gave no reason I can act on, so I wrote the plan's Build list again.`;
  const lines = built.map((i) => `- \`${i.path}\`: ${i.content}${fromReview.has(i.path) ? ' (the review asked for it)' : ''}`);
  return [
    `## ${at.toISOString()} — attempt ${attempt}`,
    '',
    `${why} Each file holds exactly the line asked for:`,
    '',
    ...(lines.length > 0 ? lines : ['- (the plan lists no files)']),
    '',
    'Everything the plan lists is in place, so I claim the gate.',
  ].join('\n');
}

function list(ctx: LoopContext, title: string, items: PlanItem[]): void {
  ctx.say(title);
  for (const item of items) ctx.say(`  - ${item.path}: ${item.content}`);
}

export async function runBuilder(ctx: LoopContext): Promise<number> {
  const { files, say } = ctx;
  say(`phase ${files.phase}, plan ${files.plan}`);
  const plan = await readPlan(ctx);
  if (!plan) return 1;
  list(ctx, `the Build list has ${plural(plan.build.length, 'file')}:`, plan.build);
  for (const r of plan.refused) say(`refusing \`${r.path}\`: ${r.why}`);

  const journal = await readText(files.journal);
  const gate = viewGate(journal, await readText(files.review), files.phase, files.claimSha !== undefined);
  if (gate.open) {
    say('gate claimed, waiting for the review');
    await ctx.step();
    return 0;
  }
  if (gate.last?.pass === true) {
    // the race between a pass and ao moving on: a second claim would only be noise
    say(`the gate of phase ${files.phase} passed; waiting for ao to start the next phase`);
    await ctx.step();
    return 0;
  }
  if (!(await ctx.step())) return 0;
  const fixes = itemsToFix(gate);
  if (gate.last !== undefined) {
    list(ctx, `the last review failed the gate; its reasons name ${plural(fixes.length, 'file')} to fix:`, fixes);
    if (!(await ctx.step())) return 0;
  }

  const work = mergeItems(plan.build, fixes);
  // in its own worktree the work is committed there and the claim names the commit; else it goes to the state folder
  const root = files.worktree ?? files.stateDir;
  for (const item of work) {
    await writeItem(root, item);
    say(`wrote ${item.path}`);
    if (!(await ctx.step())) return 0;
  }
  const attempt = gate.claims + 1;
  const sha = files.worktree ? await commitWork(files.worktree, `demo builder: phase ${files.phase}, attempt ${attempt}`) : null;
  if (sha) say(`committed attempt ${attempt} as ${sha.slice(0, 12)}`);
  const gap = journal.trim() === '' ? '' : '\n';
  await appendBlock(files.journal, `${gap}${journalEntry(ctx.now(), files.phase, attempt, work, fixes)}\n`);
  say(`wrote attempt ${attempt} in ${basename(files.journal)}`);
  if (!(await ctx.step())) return 0;
  await appendBlock(files.journal, `\n${sha ? claimAt(files.phase, sha) : claimLine(files.phase)}\n`);
  say(`claimed the gate of phase ${files.phase}${sha ? ` on ${sha.slice(0, 12)}` : ''}; the adversary reviews next`);
  return 0;
}
