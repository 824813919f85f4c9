import { basename, dirname, join, relative, resolve, sep } from 'node:path';

/**
 * Every file ao reads or writes in a project's state folder, named once
 * (DESIGN §6, §9). Pure path arithmetic with no other dependency, so that any
 * folder (config resolution, the dashboard's reader, the demo agent) can share it.
 */
export const layout = {
  /** the watchdog's record of every agent; `goodCopy` of it is the recovery copy */
  agents: (stateDir: string): string => join(stateDir, 'agents.json'),
  /** the phase index and its history */
  phase: (stateDir: string): string => join(stateDir, 'phase.json'),
  /** one decision per line; rotated to events.jsonl.1 … .3 */
  events: (stateDir: string): string => join(stateDir, 'events.jsonl'),
  /** the hash chain's head (seq and sha256 of the last line), written beside each append (state/ledger.ts) */
  ledgerHead: (stateDir: string): string => join(stateDir, 'ledger-head.json'),
  /** the seq and hash the oldest kept event line follows, once rotation dropped the lines before it */
  ledgerAnchor: (stateDir: string): string => join(stateDir, 'ledger-anchor.json'),
  /** the lock every appender of events.jsonl holds while it reads the head and writes its line */
  eventsLock: (stateDir: string): string => join(stateDir, 'events.jsonl.lock'),
  /** the last config the watchdog runs, so `ao status` can show the team while agents.toml is broken */
  runningProject: (stateDir: string): string => join(stateDir, 'project.json'),
  /** a validated copy of the project keyed by the agents.toml text it was loaded from, so `ao status` need not load the config */
  projectCache: (stateDir: string): string => join(stateDir, 'project-cache.json'),
  /** tokens and cost, one line per iteration that ended */
  usage: (stateDir: string): string => join(stateDir, 'usage.jsonl'),
  /** what usage.jsonl added up to at its last append, kept by its writer so readers need not sum it */
  usageTotals: (stateDir: string): string => join(stateDir, 'usage-totals.json'),
  /** the error of an agents.toml edit the watchdog could not apply */
  configError: (stateDir: string): string => join(stateDir, 'config-error.json'),
  watchdogPid: (stateDir: string): string => join(stateDir, 'watchdog.pid'),
  /** the token every page and API call of `ao web` needs (0600, made once per project) */
  webToken: (stateDir: string): string => join(stateDir, 'web-token'),
  /** the pid lock a running watchdog holds: one per project */
  watchdogLock: (stateDir: string): string => join(stateDir, 'watchdog.lock'),

  logs: (stateDir: string): string => join(stateDir, 'logs'),
  /** what an agent's pane printed (tmux pipe-pane) */
  agentLog: (stateDir: string, agent: string): string => join(stateDir, 'logs', `${agent}.log`),
  /** the watchdog's pino log */
  watchdogLog: (stateDir: string): string => join(stateDir, 'logs', 'watchdog.log'),
  /** what the watchdog's own pane printed (its sh parent loop included) */
  watchdogPaneLog: (stateDir: string): string => join(stateDir, 'logs', 'watchdog-pane.log'),

  /** the kickoff an agent's current run was started with */
  kickoff: (stateDir: string, agent: string): string => join(stateDir, 'kickoff', `${agent}.md`),
  /** the environment files of starts under way (0600, each read and removed by its pane's launcher) */
  envFiles: (stateDir: string): string => join(stateDir, 'env'),
  /** one start's environment file: `<agent>.<random>`, created O_EXCL, never reused */
  envFile: (stateDir: string, agent: string, token: string): string => join(stateDir, 'env', `${agent}.${token}`),
  /** the launchers' records of how each agent's last run ended (the watchdog watches the folder) */
  exits: (stateDir: string): string => join(stateDir, 'exits'),
  /** the launcher's record of how an agent's last run ended */
  exit: (stateDir: string, agent: string): string => join(stateDir, 'exits', agent),

  /** the agents' own git worktrees (`workspace = "worktree"`), one folder each, made 0700 */
  worktrees: (stateDir: string): string => join(stateDir, 'worktrees'),
  worktree: (stateDir: string, agent: string): string => join(stateDir, 'worktrees', agent),
  /** the branch the project's checkout was on at the last `ao up`: what new worktrees start from when `[workspaces] base` names none */
  workspacesBase: (stateDir: string): string => join(stateDir, 'workspaces.json'),

  inboxes: (stateDir: string): string => join(stateDir, 'inbox'),
  /** a sandboxed agent's outbox: the one folder of the state folder it may write (coord/outbox.ts) */
  outbox: (stateDir: string, agent: string): string => join(stateDir, 'outbox', agent),
  inbox: (stateDir: string, agent: string): string => join(stateDir, 'inbox', `${agent}.md`),
  journal: (stateDir: string, phaseId: string): string => join(stateDir, `JOURNAL-${phaseId}.md`),
  review: (stateDir: string, phaseId: string): string => join(stateDir, `REVIEW-${phaseId}.md`),
  /** a phase's journal or review, by path */
  isGateFile: (path: string): boolean => /^(JOURNAL|REVIEW)-.*\.md$/.test(basename(path)),

  /** the lock of a folder's read-modify-write (state/.lock.pid) */
  dirLock: (dir: string): string => join(dir, '.lock.pid'),
  /** the lock of an append to a shared file (an inbox) */
  appendLock: (file: string): string => `${file}.lock`,
  /** where a pid lock is written before it is linked into place */
  pidLockTemp: (file: string, pid: number, now: number): string => join(dirname(file), `.lock-${pid}-${now}`),
  /** the copy a corrupt state file is recovered from */
  goodCopy: (file: string): string => `${file}.good`,
  /** a corrupt state file, moved aside for a person to look at */
  corruptCopy: (file: string, now: Date): string => `${file}.corrupt-${now.toISOString().replace(/[:.]/g, '-')}`,
  /**
   * whose a file of the state folder is, for an event about it: the agent a
   * per-agent file belongs to (its log, inbox, kickoff, exit record, stream…),
   * `phase` for a journal or review, `state` for the rest
   */
  ownerOf: (stateDir: string, file: string, agents: readonly string[]): string => {
    if (layout.isGateFile(file)) return 'phase';
    const inside = relative(stateDir, resolve(stateDir, file)).split(sep);
    if (inside.length < 2 || inside[0] === '..') return 'state';
    const name = inside[1]!;
    return agents.find((a) => name === a || name.startsWith(`${a}.`)) ?? 'state';
  },
  /** the folders ao makes inside a state folder: never a link (state/safe-fs.ts checks them) */
  isSubfolder: (name: string): boolean => ['logs', 'kickoff', 'exits', 'inbox', 'outbox', 'signals', 'streams', 'worktrees'].includes(name),
  /** the unpredictable temp an atomic write goes through, beside its file */
  atomicTemp: (file: string, random: string): string => `${file}.ao-tmp-${random}`,
  /**
   * what an atomic write killed mid-write leaves behind (`<file>.ao-tmp-<random>`, the launcher's
   * mktemp of an exit record too), and write-file-atomic's `<file>.<digits>` of older ao
   */
  isAtomicTemp: (name: string): boolean => /\.ao-tmp-[A-Za-z0-9]{6,}$/.test(name) || /\.(json|md)\.\d+$/.test(name),
} as const;
