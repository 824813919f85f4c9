/**
 * The boot unit of a project, pure: its name (the project identity its
 * session prefix carries), where it goes under HOME, its text, and the cron
 * line for a machine without systemd. The agents' keys stay in an
 * EnvironmentFile the unit names; nothing secret is ever written into it.
 */
import { join } from 'node:path';
import { defaultSessionPrefix } from '../config/load.js';
import type { Project } from '../config/types.js';
import { layout } from '../state/layout.js';
import { shellQuote } from '../tmux/client.js';

export interface UnitInput {
  project: Project;
  /** absolute path of node */
  node: string;
  /** absolute path of ao's entry (bin/ao) */
  entry: string;
  home: string;
  /** PATH at install time: a user unit's own PATH is too short to find the agent CLIs */
  path: string;
  /** AO_TMUX_SOCKET of the install, when it set one */
  socket: string | null;
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f-\x9f]/g;

/**
 * Why the unit cannot be written from these values, or null: a control
 * character (a newline starts a line of its own: `ExecStartPre=` from a folder's
 * name) in any value the unit or the cron line holds, or a folder whose name
 * ends in a backslash (it would join the next line of the unit to its own).
 */
export function unitRefusal(input: UnitInput): string | null {
  const values: [string, string][] = [
    ['the project folder', input.project.dir],
    ['the config file', input.project.configFile],
    ['the state folder', input.project.stateDir],
    ["node's path", input.node],
    ["ao's path", input.entry],
    ['HOME', input.home],
    ['PATH', input.path],
    ['AO_TMUX_SOCKET', input.socket ?? ''],
  ];
  for (const [what, value] of values) {
    const shown = value.replace(CONTROL, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
    if (shown !== value) return `${what} "${shown}" holds a control character: no unit is written from it`;
  }
  if (input.project.dir.endsWith('\\'))
    return `the project folder "${input.project.dir}" ends in a backslash, which would join the unit's lines: no unit is written from it`;
  return null;
}

/** `ao-<project>-<hash>.service`: the session prefix's project identity. */
export const unitName = (project: Project): string => `${defaultSessionPrefix(project.dir).replace(/-$/, '')}.service`;

export const unitPath = (home: string, unit: string): string => join(home, '.config', 'systemd', 'user', unit);

/** The file of KEY=value lines the unit reads (optional: a missing one is skipped). */
export const environmentFile = (home: string, unit: string): string => join(home, '.config', 'ao', unit.replace(/\.service$/, '.env'));

/** One word of a systemd command line: `%` is a specifier and `$` a variable there. */
export function systemdQuote(word: string): string {
  if (/^[A-Za-z0-9_./:@+,=-]+$/.test(word)) return word;
  return `"${word.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%').replace(/\$/g, '$$$$')}"`;
}

/** `Environment="K=V"`: specifiers are expanded there, variables are not. */
const environmentLine = (name: string, value: string): string =>
  `Environment="${`${name}=${value}`.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/%/g, '%%')}"`;

/** What the unit runs: `ao up --wait`, in the foreground until the team is down. */
export function execStart(input: UnitInput): string[] {
  return [input.node, input.entry, '-c', input.project.configFile, 'up', '--wait'];
}

export function unitText(input: UnitInput): string {
  const unit = unitName(input.project);
  return [
    `# ao: the team of ${input.project.dir}, started at boot (ao service install; ao service uninstall removes it)`,
    '[Unit]',
    `Description=ao team of ${input.project.dir.replace(/%/g, '%%')}`,
    '',
    '[Service]',
    'Type=simple',
    `WorkingDirectory=${input.project.dir.replace(/%/g, '%%')}`,
    environmentLine('PATH', input.path),
    ...(input.socket ? [environmentLine('AO_TMUX_SOCKET', input.socket)] : []),
    '# the keys the agents need, as KEY=value lines (chmod 600); a missing file is skipped',
    `EnvironmentFile=-${environmentFile(input.home, unit).replace(/%/g, '%%')}`,
    `ExecStart=${execStart(input).map(systemdQuote).join(' ')}`,
    // systemctl --user stop is ao down (the agents stopped one by one, the watchdog last), not a kill of the whole cgroup
    `ExecStop=${[input.node, input.entry, '-c', input.project.configFile, 'down'].map(systemdQuote).join(' ')}`,
    // exit 0 is `ao down`: left down; a lost tmux server exits 1 and is started again
    'Restart=on-failure',
    'RestartSec=30',
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ].join('\n');
}

/** The same for cron, where systemd is absent: `ao up` at boot, the keys read from the same file. */
export function crontabLine(input: UnitInput): string {
  const env = shellQuote(environmentFile(input.home, unitName(input.project)));
  const socket = input.socket ? `AO_TMUX_SOCKET=${shellQuote(input.socket)} ` : '';
  const up = [input.node, input.entry, '-c', input.project.configFile, 'up'].map(shellQuote).join(' ');
  const log = shellQuote(join(layout.logs(input.project.stateDir), 'boot.log'));
  // `%` ends a crontab command line unless escaped
  return `@reboot cd ${shellQuote(input.project.dir)} && { [ ! -f ${env} ] || { set -a; . ${env}; set +a; }; } && PATH=${shellQuote(input.path)} ${socket}${up} >> ${log} 2>&1`.replace(
    /%/g,
    '\\%',
  );
}
