import { modelLabel, phaseHeader, stateLabel, usd } from '../supervisor/labels.js';
import type { StatusReport } from '../supervisor/status.js';
import { safeLine, safeName } from '../text/safe.js';

/** Left-aligned columns separated by two spaces; each cell one safe line, so no cell can forge a row. */
export function table(cells: readonly (readonly string[])[]): string {
  const rows = cells.map((row) => row.map(safeLine));
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')).join('\n') + '\n';
}

/**
 * `socket`: the tmux socket the project uses (named when its server is not running).
 * `sandbox`: the agent in whose sandbox this runs, where tmux is out of reach.
 */
export function formatStatus(report: StatusReport, socket?: string, sandbox?: string | null): string {
  const rows = [['NAME', 'KIND', 'BACKEND', 'MODEL', 'HEAL', 'COST', 'STATE']];
  for (const a of report.agents) rows.push([safeName(a.name), a.kind, a.backend ?? '-', modelLabel(a), a.heal ?? '-', usd(a.usage), stateLabel(a)]);
  let text = `${phaseHeader(report.phase)}\n${table(rows)}`;
  if (!report.server && sandbox)
    text += `inside agent ${safeName(sandbox)}'s sandbox tmux is out of reach: what runs is not seen here (the phase, inboxes, events and logs are)\n`;
  else if (!report.server && report.agents.some((a) => a.up))
    text += `tmux server on socket ${socket ? `"${socket}" ` : ''}is not running: agents that were up are gone; \`ao up\` brings them back\n`;
  return text;
}

/** The JSON contract of `ao status --json` (DESIGN §9). */
export function statusJson(report: StatusReport): object {
  return {
    project: report.project,
    complete: report.complete,
    phase: report.phase,
    server: report.server,
    config_error: report.config_error,
    agents: report.agents.map((a) => ({
      name: a.name,
      session: a.session,
      kind: a.kind,
      backend: a.backend,
      model: a.model,
      fallback: a.fallback,
      heal: a.heal,
      enabled: a.enabled,
      state: a.state,
      detail: a.detail,
      pid: a.pid,
      // the watchdog only: the sh in its pane that restarts it
      ...(a.supervisor_pid !== undefined ? { supervisor_pid: a.supervisor_pid } : {}),
      exit_status: a.exit_status,
      restarts: a.restarts,
      iteration: a.iteration,
      last_activity: a.last_activity,
      up: a.up,
      waiting_on: a.waiting_on,
      pending: a.pending,
      usage: a.usage,
      // a worktree agent only: its worktree's path and branch, from the config
      ...(a.workspace ? { workspace: a.workspace } : {}),
    })),
  };
}
