import { readUsageReport, type UsageReport, type UsageTotals } from '../../state/usage.js';
import { openProjectOrRunning } from '../context.js';
import { table } from '../format.js';
import type { GlobalOptions, Io } from '../io.js';
import { jsonText, safeName } from '../../text/safe.js';

export interface CostOptions extends GlobalOptions {
  json?: boolean;
}

/** A cost ao computed from tokens and `[models.prices]` (the CLI reported none) is marked, and the table says so below. */
const usd = (u: UsageTotals): string => (u.cost_usd === null ? '-' : `$${u.cost_usd.toFixed(4)}${u.priced_iterations ? '*' : ''}`);
const cells = (u: UsageTotals): string[] => [
  String(u.iterations),
  String(u.input_tokens),
  String(u.output_tokens),
  String(u.cache_read_tokens),
  String(u.cache_write_tokens),
  usd(u),
];

/** The object of `ao cost --json` (and `ao web`'s /api/cost). */
export function costJson(project: string, report: UsageReport): object {
  return {
    project,
    rows: report.rows.map((r) => ({ phase: r.phase, agent: r.agent, ...r.usage })),
    phases: Object.entries(report.byPhase).map(([phase, u]) => ({ phase, ...u })),
    agents: Object.entries(report.byAgent).map(([agent, u]) => ({ agent, ...u })),
    total: report.total,
  };
}

/** `ao cost [--json]`: tokens and cost per phase and agent, with totals (read-only); `priced_iterations` in --json counts the costs priced by ao. */
export async function cost(options: CostOptions, io: Io): Promise<number> {
  const { project } = openProjectOrRunning(options, io);
  const report = readUsageReport(project.stateDir);
  if (options.json) {
    io.out(`${jsonText(costJson(project.name, report), 2)}\n`);
    return 0;
  }
  if (report.rows.length === 0) {
    io.out('no usage recorded yet (state/usage.jsonl is written as iterations end)\n');
    return 0;
  }
  const rows: string[][] = [['PHASE', 'AGENT', 'ITER', 'INPUT', 'OUTPUT', 'CACHE READ', 'CACHE WRITE', 'COST']];
  for (const [phase, u] of Object.entries(report.byPhase)) {
    for (const r of report.rows.filter((x) => x.phase === phase)) rows.push([safeName(r.phase), safeName(r.agent), ...cells(r.usage)]);
    rows.push([safeName(phase), '(phase)', ...cells(u)]);
  }
  rows.push(['total', '', ...cells(report.total)]);
  io.out(table(rows));
  const priced = report.total.priced_iterations ?? 0;
  if (priced > 0)
    io.out(
      `* cost computed by ao from the tokens and [models.prices] for ${priced} of ${report.total.iterations} iteration${report.total.iterations === 1 ? '' : 's'} (the CLI reports no cost)\n`,
    );
  return 0;
}
