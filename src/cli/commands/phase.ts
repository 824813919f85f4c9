import { modelFor } from '../../config/resolve.js';
import type { Project } from '../../config/types.js';
import { UsageError } from '../../errors.js';
import { appendEvent } from '../../state/events.js';
import { withLock } from '../../state/files.js';
import { movePhase, phaseView, recoverPhaseStateOf, writePhaseState, type PhaseState } from '../../state/phase.js';
import { readProjectView, type ProjectView } from '../../readmodel/view.js';
import { callerName, findCaller, phaseMoveRefusal, refuseInSandbox } from '../caller.js';
import { openProject, openProjectOrRunning } from '../context.js';
import { phaseHeader } from '../../supervisor/labels.js';
import type { GlobalOptions, Io } from '../io.js';
import { jsonText, safeLine, safeName } from '../../text/safe.js';
import { commitGateOf } from '../../phases/commit-gate.js';
import { execaGit } from '../../workspace/git.js';

export interface PhaseOptions extends GlobalOptions {
  action: string;
  id?: string | undefined;
  json?: boolean;
}

/** What moving from one phase state to another restarts, in words. */
export function describeMove(project: Project, from: PhaseState, to: PhaseState): string[] {
  const before = phaseView(project, from).phase;
  const after = phaseView(project, to).phase;
  return project.agents
    .filter((a) => a.enabled && a.kind !== 'task')
    .map((a) => {
      if (a.kind === 'loop') return to.complete ? `${a.name}: stops (the project is complete)` : `${a.name}: starts its next iteration with the new kickoff`;
      const [m1, m2] = [modelFor(project, a, before), modelFor(project, a, after)];
      return m1 !== m2 ? `${a.name}: restarts (model ${m1 ?? '-'} -> ${m2 ?? '-'})` : `${a.name}: keeps running`;
    });
}

/** A commit-bound gate's commits: the open claim's, the last verdict's, the target's head (read from git now), the last landing. */
interface CommitsReport {
  builder_branch: string;
  claim: string | null;
  last_verdict: { phase: string; sha: string; pass: boolean } | null;
  target: { branch: string; head: string | null };
  landed: { phase: string; sha: string; target: string } | null;
}

export async function commitsReport(project: Project, state: PhaseState): Promise<CommitsReport | null> {
  const gate = commitGateOf(project);
  if (!gate) return null;
  const head = await execaGit(project.dir, ['rev-parse', '--verify', '--quiet', `refs/heads/${gate.target}`]);
  return {
    builder_branch: gate.branch,
    claim: phaseView(project, state).claimSha ?? null,
    last_verdict: state.lastVerdict ?? null,
    target: { branch: gate.target, head: head.exitCode === 0 ? head.stdout.trim() : null },
    landed: state.landed ?? null,
  };
}

function commitLines(c: CommitsReport): string {
  const verdict = c.last_verdict ? `${c.last_verdict.pass ? 'pass' : 'fail'} on ${c.last_verdict.sha} (${safeName(c.last_verdict.phase)})` : 'none';
  return [
    `claim: ${c.claim ?? 'none open'} (commits on ${safeName(c.builder_branch)})`,
    `last verdict: ${verdict}`,
    `target: ${safeName(c.target.branch)} at ${c.target.head ?? '(not made yet: the first pass makes it from the base)'}`,
  ]
    .map((l) => `${l}\n`)
    .join('');
}

/** The object of `ao phase --json` (and `ao web`'s /api/phase). */
export function statusReport(project: Project, view: ProjectView, commits: CommitsReport | null): object {
  const { phase: state } = view;
  const { phase } = phaseView(project, state);
  return {
    id: view.report.phase.id,
    index: view.report.phase.index,
    count: view.report.phase.count,
    plan: view.report.phase.plan,
    plan_path: phase.planPath,
    complete: state.complete,
    gate: state.gate.status,
    fails_in_a_row: state.gate.failStreak,
    not_converging: state.notConverging,
    ...(commits ? { commits } : {}),
    history: state.history,
  };
}

/** `ao phase [status|next|set ID]`: where the team stands, and moving it by hand. */
export async function phase(options: PhaseOptions, io: Io): Promise<number> {
  // reading goes on with the last good config while the team runs; moving the phase needs a valid one
  const { project, tmux } = options.action === 'status' ? openProjectOrRunning(options, io) : openProject(options, io);
  if (options.action === 'status') {
    const view = readProjectView(project, null);
    const commits = await commitsReport(project, view.phase);
    if (options.json) {
      io.out(`${jsonText(statusReport(project, view, commits), 2)}\n`);
      return 0;
    }
    const state = view.phase;
    io.out(`${phaseHeader(view.report.phase)}\n`);
    io.out(
      `plan: ${phaseView(project, state).phase.planPath}\ngate: ${state.complete ? 'closed' : state.gate.status} · fails in a row: ${state.gate.failStreak}\n`,
    );
    if (commits) io.out(commitLines(commits));
    if (state.history.length > 0) {
      io.out('history:\n');
      for (const h of state.history.slice(-20))
        io.out(`  ${safeLine(`${safeName(h.at)}  ${safeName(h.phase).padEnd(12)}  ${safeName(h.event).padEnd(14)}  ${h.detail ?? ''}`)}\n`);
    }
    return 0;
  }
  if (options.action !== 'next' && options.action !== 'set') throw new UsageError(`unknown phase action "${options.action}": use status, next or set ID`);
  refuseInSandbox(io.env, `ao phase ${options.action}`);
  let target = -1;
  if (options.action === 'set') {
    if (!options.id) throw new UsageError('ao phase set needs a phase id');
    target = project.phases.findIndex((p) => p.id === options.id);
    if (target < 0) throw new UsageError(`unknown phase "${options.id}"; the phases are: ${project.phases.map((p) => p.id).join(', ')}`);
  }
  const caller = await findCaller(project, tmux, io.env);
  const refusal = phaseMoveRefusal(caller, `ao phase ${options.action}`);
  if (refusal) throw new UsageError(refusal);
  const by = callerName(caller);
  return withLock(project.stateDir, async () => {
    const state = await recoverPhaseStateOf(project);
    if (options.action === 'next' && state.complete) throw new UsageError('the project is complete: there is no next phase (use `ao phase set ID` to go back)');
    const index = options.action === 'next' ? state.index + 1 : target;
    const command = options.action === 'next' ? 'ao phase next' : `ao phase set ${options.id}`;
    const next = movePhase(state, project, index, caller.kind === 'agent' ? `${command} by ${by}` : command);
    await writePhaseState(project.stateDir, next);
    const view = phaseView(project, next);
    appendEvent(project.stateDir, {
      time: new Date().toISOString(),
      agent: 'phase',
      event: next.complete ? 'complete' : 'phase-set',
      reason: next.complete ? `moved past the last phase by ${by}` : `${phaseView(project, state).phase.id} -> ${view.phase.id} by ${by}`,
      details: { by },
    });
    io.out(next.complete ? 'the project is now complete\n' : `phase: ${view.phase.id} [${view.index + 1}/${project.phases.length}] plan=${view.phase.plan}\n`);
    if (state.complete && !next.complete) io.out('  the loops stopped when the project completed: `ao up` starts them again\n');
    else for (const line of describeMove(project, state, next)) io.out(`  ${line}\n`);
    io.out('the watchdog applies this on its next sweep\n');
    return 0;
  });
}
