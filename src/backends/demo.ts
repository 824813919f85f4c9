/**
 * The built-in demo agent: ao itself runs `demo-agent` (see demo-agent.ts),
 * so a fresh clone runs a team with no agent CLI and no API key. It reads
 * its kickoff file itself, hence no kickoff delivery.
 */
import type { DetectOptions, Backend, LaunchInput, ScreenState } from './types.js';
import type { KickoffMode } from '../config/types.js';
import { lastNonEmpty, screenLines } from './common.js';

export const DEMO_PROMPT = 'demo> ';

export function detectDemo(screen: string, _options?: DetectOptions): ScreenState {
  const last = lastNonEmpty(screenLines(screen), 1)[0];
  if (last === undefined) return 'unknown';
  return last.trim() === DEMO_PROMPT.trim() ? 'ready' : 'busy';
}

export const demo: Backend = {
  name: 'demo',
  settleMs: 300,
  defaultKickoff(): KickoffMode {
    return 'none';
  },
  argv(input: LaunchInput): string[] {
    const { agent } = input;
    const argv = [
      agent.command ?? process.execPath,
      input.aoEntry,
      'demo-agent',
      '--name',
      agent.name,
      '--kind',
      agent.kind,
      '--kickoff-file',
      input.kickoffFile,
    ];
    if (input.model !== null) argv.push('--model', input.model);
    if (agent.paceS !== null) argv.push('--pace', String(agent.paceS));
    return [...argv, ...agent.args];
  },
  detect: detectDemo,
};
