import type { ReactNode } from 'react';
import type { AgentStatus } from '../../supervisor/status.js';
import type { DashState } from '../model.js';
import { Panel } from './Panel.js';

export interface PreviewProps {
  /** the selected agent */
  agent: AgentStatus | undefined;
  /** its screen, when the engine has captured it */
  lines: readonly string[] | null;
  report: DashState['report'];
  height: number;
  width: number;
}

/** Why there is no screen to show. */
export function previewPlaceholder(report: DashState['report'], agent: AgentStatus | undefined): string {
  if (!report) return 'reading the team…';
  if (!agent) return 'this team has no agents';
  const why = agent.detail ? ` (${agent.detail})` : '';
  if (agent.state === 'backoff') return `${agent.name} died; the watchdog starts it again${why}`;
  if (agent.state === 'dead') return `${agent.name} is dead${why}: r restarts it`;
  if (agent.pid === null) {
    if (report.complete && agent.kind === 'loop') return `${agent.name} is stopped: the project is complete`;
    if (report.agents.every((a) => a.pid === null)) return `the team is not running: s starts ${agent.name}, \`ao up\` the whole team`;
    return `${agent.name} is ${agent.state}${why}: s starts it`;
  }
  return `${agent.name}: nothing on its screen yet`;
}

/** A live view of the selected agent's pane. */
export function Preview({ agent, lines, report, height, width }: PreviewProps): ReactNode {
  return (
    <Panel
      title={`screen: ${agent?.name ?? '-'}`}
      note={agent?.state === 'dead' ? `(dead: ${agent.detail ?? 'exited'})` : undefined}
      lines={lines ?? []}
      height={height}
      width={width}
      placeholder={previewPlaceholder(report, agent)}
    />
  );
}
