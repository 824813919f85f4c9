/**
 * A persistent Claude Code agent's usage, for `ao cost`: the TUI reports
 * none on screen, but its transcript has each assistant message's usage and
 * every hook names the transcript (`transcript_path`, kept in its signals).
 * After a turn ends (its Stop hook) or the TUI exits, the watchdog reads
 * what the transcript gained since it last looked, as one usage line; where
 * it got to is kept in the agent's record (written with the line by the
 * sweep's apply step), so a watchdog restart reads on from there and nothing
 * counts twice.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';
import { claudeTranscriptUsage } from '../backends/claude-stream.js';
import type { AgentSpec, Project } from '../config/types.js';
import type { AgentRecord } from '../state/agents.js';
import type { HookView } from '../state/signals.js';
import type { UsageRecord } from '../state/usage.js';
import { ownSessions, type PaneInfo } from '../tmux/snapshot.js';
import type { SignalViews } from './provider-wait.js';

/** At most this much of a transcript is read a sweep; the rest on the next. */
const MAX_READ = 8 * 1024 * 1024;

/** Whether the agent's usage is read from its transcript: a Claude TUI. */
const readsTranscript = (agent: AgentSpec): boolean => agent.kind === 'persistent' && agent.backend === 'claude';

/** The complete lines of `file` from `offset` (bounded), or null when it is not a regular file or has nothing new. */
function newLines(file: string, offset: number): { text: string; end: number } | null {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size <= offset) return null;
    const length = Math.min(st.size - offset, MAX_READ);
    const buffer = Buffer.alloc(length);
    const read = readSync(fd, buffer, 0, length, offset);
    const last = buffer.lastIndexOf(0x0a, read - 1);
    if (last < 0) return null; // a line still being written
    return { text: buffer.subarray(0, last + 1).toString('utf8'), end: offset + last + 1 };
  } finally {
    closeSync(fd);
  }
}

/**
 * What the agent's transcript gained since `record.transcript` (after a Stop
 * hook or the agent's end), as a usage line for the caller to write; moves
 * the record on. Null when there is nothing new.
 */
export function recordTranscriptUsage(
  agent: AgentSpec,
  record: AgentRecord,
  view: HookView | null,
  ended: boolean,
  phase: string,
  now: Date,
): UsageRecord | null {
  const path = view?.transcript ?? record.transcript?.path ?? null;
  if (path === null) return null;
  const turnEnded = ended || view?.last?.hook === 'Stop' || view?.last?.hook === 'SessionEnd';
  if (!turnEnded) return null;
  // a new conversation (`/clear`, a fresh start) is a new transcript: read from its start
  const from = record.transcript?.path === path ? record.transcript.offset : 0;
  const piece = newLines(path, from);
  if (piece === null) return null;
  record.transcript = { path, offset: piece.end };
  const found = claudeTranscriptUsage(piece.text);
  if (found === null) return null;
  const line: UsageRecord = {
    time: now.toISOString(),
    agent: agent.name,
    phase,
    iteration: record.iteration,
    // the turn's last message: the same turn read twice counts once
    run: `${basename(path, '.jsonl')}:${found.lastId}`,
    backend: agent.backend,
    usage: found.usage,
  };
  return line;
}

/** Where an agent's transcript was read to (AgentRecord.transcript). */
export type TranscriptMark = NonNullable<AgentRecord['transcript']>;

export interface TuiUsage {
  lines: UsageRecord[];
  /** agent -> where its transcript was read to, for its record */
  transcripts: Map<string, TranscriptMark>;
}

/** The watchdog's part, each sweep: every Claude TUI's usage since its last turn (the records are left as they are). */
export function tuiUsage(
  project: Project,
  records: Readonly<Record<string, AgentRecord>>,
  panes: readonly PaneInfo[],
  signals: SignalViews,
  phase: string,
  now: number,
  warn: (text: string) => void,
): TuiUsage {
  const found: TuiUsage = { lines: [], transcripts: new Map() };
  const own = ownSessions(panes, project.configFile).own;
  for (const agent of project.agents) {
    const record = records[agent.name];
    const pane = own.get(agent.session);
    if (!readsTranscript(agent) || !record?.startedAt || (!record.up && !pane)) continue;
    try {
      const view = signals.view(project.stateDir, agent.name, Date.parse(record.startedAt));
      const moved = { ...record };
      const line = recordTranscriptUsage(agent, moved, view, !pane || pane.dead, phase, new Date(now));
      if (line) found.lines.push(line);
      if (moved.transcript && moved.transcript !== record.transcript) found.transcripts.set(agent.name, moved.transcript);
    } catch (error) {
      warn(`usage of ${agent.name}: ${String(error)}`);
    }
  }
  return found;
}
