/**
 * One iteration of the demo adversary (docs/PROTOCOL.md): when a claim is
 * open, check the work itself against every Build and Review item of the
 * plan, then write findings and a verdict. With no open claim it only says so
 * and ends.
 */
import { failAt, failLine, passAt, passLine } from '../phases/gate.js';
import { commitOf } from '../workspace/land.js';
import { foundAt } from './commits.js';
import { describeFinding, failReason, matches, viewGate, type Found, type PlanItem } from './plan.js';
import { appendBlock, itemFile, plural, readFound, readPlan, readText, type LoopContext } from './loop.js';

export async function runAdversary(ctx: LoopContext): Promise<number> {
  const { files, say } = ctx;
  // The journal is read here only for its claim lines, through the gate
  // parser, to know whether a claim is open. Its prose is never looked at:
  // the review judges the work, so the builder's account cannot anchor it.
  const review = await readText(files.review);
  const commits = files.claimSha !== undefined;
  const gate = viewGate(await readText(files.journal), review, files.phase, commits);
  if (!gate.open) {
    say(`phase ${files.phase}: nothing to review yet`);
    await ctx.step();
    return 0;
  }
  // a commit-bound gate: the claimed commit is what is reviewed (ao's when it knew it at this start, else the claim's own)
  const sha = commits ? files.claimSha || (gate.claimToken ? await commitOf(process.cwd(), gate.claimToken) : null) : null;
  if (commits && !sha) {
    say(`phase ${files.phase}: the open claim names no commit I can find; nothing to review`);
    await ctx.step();
    return 0;
  }
  const read = (item: PlanItem): Promise<Found> => (sha ? foundAt(process.cwd(), sha, item) : readFound(itemFile(files.stateDir, item)));
  if (sha) say(`reviewing commit ${sha.slice(0, 12)}`);

  say(`phase ${files.phase}: claim ${gate.claims} is open; checking the work against ${files.plan}`);
  const plan = await readPlan(ctx);
  if (!plan) return 1;
  const items = [...plan.build, ...plan.review];
  say(`${plural(items.length, 'item')} to check (Build and Review lists)`);
  if (!(await ctx.step())) return 0;

  const findings: string[] = [];
  const reasons: string[] = [];
  for (const item of items) {
    const found = await read(item);
    const ok = matches(item, found);
    findings.push(describeFinding(item, found));
    if (!ok) reasons.push(failReason(item, found));
    say(ok ? `ok   ${item.path}` : `FAIL ${failReason(item, found)}`);
    if (!(await ctx.step())) return 0;
  }
  for (const r of plan.refused) {
    // a plan item the builder must refuse can never be satisfied: say so rather than pass over it
    const reason = `\`${r.path}\`: refused, ${r.why}`;
    findings.push(reason);
    reasons.push(reason);
    say(`FAIL ${reason}`);
  }

  const pass = reasons.length === 0;
  const entry = [
    `## ${ctx.now().toISOString()} — review of claim ${gate.claims}`,
    '',
    `I checked the work itself against the plan's Build and Review lists (${plural(items.length, 'item')}), without reading the journal.`,
    '',
    ...(findings.length > 0 ? findings.map((f) => `- ${f}`) : ['- (the plan lists nothing to check)']),
    '',
    ...(pass
      ? [sha ? passAt(files.phase, sha) : passLine(files.phase)]
      : [sha ? failAt(files.phase, sha) : failLine(files.phase), ...reasons.map((r) => `- ${r}`)]),
  ].join('\n');
  await appendBlock(files.review, `${review.trim() === '' ? '' : '\n'}${entry}\n`);
  say(pass ? `passed the gate of phase ${files.phase}` : `failed the gate of phase ${files.phase}: ${plural(reasons.length, 'reason')}`);
  return 0;
}
