/**
 * `ao doctor`'s judgements, pure: the facts a run would stand on (what was
 * found on PATH, what a CLI's --help says, free space, the tmux sessions) in,
 * one line per check out, each ok / warn / fail with what to do.
 */

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  /** what was checked: `tmux`, `builder: claude`, `state folder` */
  check: string;
  status: CheckStatus;
  detail: string;
  /** what to do about a warn or fail; null when ok */
  fix: string | null;
}

const ok = (check: string, detail: string): Check => ({ check, status: 'ok', detail, fix: null });

/** What ao needs of tmux (checked against 3.3a). */
export const TMUX_NEEDED: readonly [number, number] = [3, 2];

/** `tmux 3.3a` -> [3, 3]; `tmux next-3.5` -> [3, 5]; null when no version is in it. */
export function tmuxVersion(line: string): [number, number] | null {
  const m = /(\d+)\.(\d+)/.exec(line);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

export function tmuxCheck(versionLine: string | null): Check {
  const need = `ao needs tmux ${TMUX_NEEDED.join('.')} or newer (remain-on-exit, pane-died hooks, wait-for)`;
  if (versionLine === null)
    return { check: 'tmux', status: 'fail', detail: 'not found on PATH', fix: `install tmux (apt install tmux, brew install tmux); ${need}` };
  const v = tmuxVersion(versionLine);
  if (v === null) return { check: 'tmux', status: 'warn', detail: `${versionLine}: version not understood`, fix: need };
  const [major, minor] = v;
  if (major < TMUX_NEEDED[0] || (major === TMUX_NEEDED[0] && minor < TMUX_NEEDED[1]))
    return { check: 'tmux', status: 'fail', detail: `${versionLine} is too old`, fix: `upgrade tmux: ${need}` };
  return ok('tmux', `${versionLine} (ao needs ${TMUX_NEEDED.join('.')} or newer)`);
}

/**
 * The flags of a command line and the subcommand they belong to: the words
 * before the first flag (`codex exec --json` -> `exec`), and every `-x` or
 * `--flag` (without its `=value`) up to a `--` that ends the options.
 */
export function flagsOf(argv: readonly string[]): { subcommand: string[]; flags: string[] } {
  const subcommand: string[] = [];
  const flags = new Set<string>();
  let inFlags = false;
  for (const word of argv.slice(1)) {
    if (word === '--') break;
    if (/^--?[A-Za-z]/.test(word)) {
      inFlags = true;
      flags.add(word.split('=')[0]!);
    } else if (!inFlags) subcommand.push(word);
  }
  return { subcommand, flags: [...flags] };
}

/** The flags a CLI's --help text does not mention (a flag counts when it stands as a word of its own). */
export function missingFlags(help: string, flags: readonly string[]): string[] {
  return flags.filter((flag) => !new RegExp(`(?:^|[\\s,\\[(|])${flag.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|[\\s,=\\])|<.])`, 'm').test(help));
}

/** What was found of one agent's program: where (null: nowhere), its version line and its --help text. */
export interface ProgramFacts {
  agent: string;
  backend: string;
  program: string;
  /** the agent sets `command` (so the fix is there, not an install) */
  viaCommand: boolean;
  found: string | null;
  version: string | null;
  /** the --help of the subcommand ao runs, or null when it printed none */
  help: string | null;
  /** the flags ao passes it, from the backend's own command lines */
  flags: string[];
  /** the words of the subcommand (`exec`), for the message */
  subcommand: string[];
}

export function programCheck(p: ProgramFacts): Check {
  const name = `${p.agent}: ${p.program}`;
  if (p.found === null) {
    const fix = p.viaCommand
      ? `agents.${p.agent}.command names "${p.program}", which does not exist or is not executable: fix the path`
      : `install the ${p.backend} CLI so that \`${p.program}\` is on the PATH of \`ao up\`, or set agents.${p.agent}.command to its path`;
    return { check: name, status: 'fail', detail: p.viaCommand ? 'not found' : 'not found on PATH', fix };
  }
  const where = `${p.found}${p.version ? ` (${p.version})` : ''}`;
  if (p.flags.length === 0) return ok(name, where);
  const helpOf = [p.program, ...p.subcommand, '--help'].join(' ');
  if (p.help === null)
    return { check: name, status: 'warn', detail: `${where}; \`${helpOf}\` printed nothing (or not within 30 s)`, fix: `check that it runs: ${helpOf}` };
  const missing = missingFlags(p.help, p.flags);
  if (missing.length === 0) return ok(name, `${where}; takes the flags ao passes (${p.flags.join(' ')})`);
  return {
    check: name,
    status: 'warn',
    detail: `${where}; \`${helpOf}\` does not mention ${missing.join(', ')}, which ao passes`,
    fix: `a CLI too old or too new for ao: install the version docs/CLI-VERSIONS.md names, or check that it still accepts ${missing.join(', ')}`,
  };
}

/** Where a backend's CLI looks for credentials, and what was seen of them (names only, never a value). */
export interface CredentialFacts {
  agent: string;
  backend: string;
  /** variables the CLI reads a key from */
  variables: readonly string[];
  /** login files under HOME */
  files: readonly string[];
  /** which of the variables are set and not empty */
  setVariables: string[];
  /** which of the files exist */
  presentFiles: string[];
  home: string;
}

export function credentialCheck(c: CredentialFacts): Check {
  const name = `${c.agent}: ${c.backend} credentials`;
  if (c.setVariables.length > 0) return ok(name, `${c.setVariables.join(', ')} set`);
  if (c.presentFiles.length > 0) return ok(name, `login file ${c.presentFiles.join(', ')}`);
  const files = c.files.map((f) => `${c.home}/${f}`);
  return {
    check: name,
    status: 'warn',
    detail: `no key: none of ${c.variables.join(', ')} is set${files.length > 0 ? `, no ${files.join(' or ')}` : ''}`,
    fix: `export ${c.variables[0] ?? 'its key'} (or another of them) before \`ao up\`, or set it in agents.${c.agent}.env, or log in with the CLI once`,
  };
}

/** What was found of the state folder: the folder that exists (itself or its nearest parent), writable, free bytes. */
export interface StateDirFacts {
  stateDir: string;
  existing: string;
  writable: boolean;
  freeBytes: number | null;
}

const MB = 1024 * 1024;
/** below this a week of logs and streams will not fit */
export const FREE_WARN_BYTES = 1024 * MB;
/** below this a run cannot write its state for long */
export const FREE_FAIL_BYTES = 50 * MB;

export function stateDirCheck(s: StateDirFacts): Check {
  const name = 'state folder';
  const where = s.existing === s.stateDir ? s.stateDir : `${s.stateDir} (not made yet; ${s.existing} holds it)`;
  if (!s.writable)
    return { check: name, status: 'fail', detail: `${where} is not writable`, fix: `make ${s.existing} writable for this user, or set defaults.state_dir` };
  if (s.freeBytes === null) return ok(name, `${where}, writable`);
  const free = s.freeBytes >= 10 * 1024 * MB ? `${Math.round(s.freeBytes / (1024 * MB))} GB` : `${Math.round(s.freeBytes / MB)} MB`;
  if (s.freeBytes < FREE_FAIL_BYTES)
    return { check: name, status: 'fail', detail: `${where}: only ${free} free`, fix: 'free some disk space: logs and streams grow all week' };
  if (s.freeBytes < FREE_WARN_BYTES)
    return { check: name, status: 'warn', detail: `${where}: ${free} free`, fix: 'a week of logs and streams may need more: free some space' };
  return ok(name, `${where}, writable, ${free} free`);
}

/** A session name the team needs and who holds it: nobody, this project, another project, or something ao did not make. */
export interface SessionFacts {
  session: string;
  holder: 'free' | 'own' | { owner: string | null };
}

export function sessionsCheck(socket: string, serverError: string | null, sessions: readonly SessionFacts[]): Check {
  const name = `tmux socket ${socket}`;
  if (serverError !== null)
    return {
      check: name,
      status: 'fail',
      detail: `a server answers badly: ${serverError}`,
      fix: `see what holds the socket (tmux -L ${socket} ls), or set AO_TMUX_SOCKET`,
    };
  const taken = sessions.filter((s) => typeof s.holder === 'object');
  if (taken.length > 0) {
    const what = taken.map((s) => {
      const owner = (s.holder as { owner: string | null }).owner;
      return `${s.session} (${owner ? `belongs to ${owner}` : 'not made by ao'})`;
    });
    return {
      check: name,
      status: 'fail',
      detail: `session names taken: ${what.join(', ')}`,
      fix: `ao leaves them alone and does not start those agents: stop them, or set defaults.session_prefix`,
    };
  }
  const own = sessions.filter((s) => s.holder === 'own').length;
  return ok(name, own > 0 ? `${own} of ${sessions.length} sessions run for this project, the rest free` : `all ${sessions.length} session names free`);
}

/** What was found of systemd for an installed unit. */
export interface SystemdFacts {
  unit: string;
  /** a systemd user instance answers (`systemctl --user`) */
  userInstance: boolean;
  /** lingering on: the user instance starts at boot, without a login */
  linger: boolean | null;
  enabled: string | null;
}

export function systemdCheck(s: SystemdFacts, user: string): Check {
  const name = `service ${s.unit}`;
  if (!s.userInstance)
    return {
      check: name,
      status: 'fail',
      detail: 'installed, but no systemd user instance answers here',
      fix: 'nothing will start the team at boot: use the @reboot crontab line `ao service install` prints',
    };
  if (s.enabled !== 'enabled')
    return { check: name, status: 'warn', detail: `installed, ${s.enabled ?? 'not enabled'}`, fix: `systemctl --user enable --now ${s.unit}` };
  if (s.linger !== true)
    return { check: name, status: 'warn', detail: 'enabled, but lingering is off: it starts only when you log in', fix: `loginctl enable-linger ${user}` };
  return ok(name, 'enabled, lingering on');
}

/** 0 when nothing fails, 1 otherwise. */
export function doctorExitCode(checks: readonly Check[]): number {
  return checks.some((c) => c.status === 'fail') ? 1 : 0;
}

export function formatCheck(c: Check): string {
  return `${c.status.padEnd(4)}  ${c.check}: ${c.detail}${c.fix ? `\n      -> ${c.fix}` : ''}\n`;
}

/**
 * The sandboxed agents (`sandbox = "bwrap"`) and why no sandbox can be made
 * here (null: the probe ran): one check, failed when any agent needs one.
 */
export function sandboxCheck(agents: readonly string[], problem: string | null, fix: string): Check | null {
  if (agents.length === 0) return null;
  const check = 'sandbox (bubblewrap)';
  if (problem === null) return ok(check, `\`bwrap --ro-bind / / true\` works as the agents run it (${agents.join(', ')})`);
  return { check, status: 'fail', detail: `${problem}: ${agents.join(', ')} cannot start (never unsandboxed)`, fix };
}
