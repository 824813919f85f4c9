/**
 * What `ao bundle` gathers, before redaction: the config, what the read
 * commands say (run in this process, their output captured), and the state
 * files and log tails that explain the project's state. Each part is a path in
 * the bundle and its bytes; a command that fails leaves its error instead.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { Project } from '../config/types.js';
import { isEnvDigest } from '../state/secrets.js';
import { layout } from '../state/layout.js';
import { ledgerFiles, verifyStateDir } from '../state/ledger-read.js';
import { readBytesCapped, readTailBytes } from '../state/safe-fs.js';
import { SECRET_NAME, type Secret } from '../text/redact.js';
import { jsonText } from '../text/safe.js';
import type { GlobalOptions, Io } from './io.js';

export interface Part {
  path: string;
  bytes: Buffer;
}

/** The newest bytes of each log and stream that go in. */
export const LOG_TAIL = 256 * 1024;
/** The most of one whole state file that goes in (events.jsonl rotates at 5 MB). */
const FILE_CAP = 64 * 1024 * 1024;

/** The shortest env value taken out whatever its name. */
const MIN_VALUE = 6;

/** The values that must not leave, each by the name it is listed under in the bundle's README. */
export function secretsOf(project: Project, env: NodeJS.ProcessEnv): Secret[] {
  const secrets: Secret[] = [];
  // every env value of the config (a short one only under a secret-looking name: "1" would take out every digit one)
  for (const agent of project.agents)
    for (const [key, value] of Object.entries(agent.env))
      if (!isEnvDigest(value) && (value.length >= MIN_VALUE || (SECRET_NAME.test(key) && value.length >= 3)))
        secrets.push({ name: `agents.${agent.name}.env.${key}`, value });
  for (const [key, value] of Object.entries(env)) if (value && value.length >= 3 && SECRET_NAME.test(key)) secrets.push({ name: `environment ${key}`, value });
  const webhook = project.notify?.webhook;
  if (webhook) {
    try {
      const url = new URL(webhook);
      const secret = `${url.pathname === '/' ? '' : url.pathname}${url.search}`;
      if (secret) secrets.push({ name: 'notify.webhook (its path and query)', value: secret });
      if (url.username || url.password) secrets.push({ name: 'notify.webhook (its user and password)', value: `${url.username}:${url.password}` });
    } catch {
      secrets.push({ name: 'notify.webhook', value: webhook });
    }
  }
  return secrets;
}

/** Runs a read command in this process with its output captured: its stdout, or its error and stderr. */
async function captured(run: (io: Io) => Promise<number>, io: Io): Promise<{ out: string; code: number | null; error: string | null }> {
  let out = '';
  let err = '';
  const quiet: Io = { out: (s) => void (out += s), err: (s) => void (err += s), env: io.env, cwd: io.cwd, isTTY: false };
  try {
    const code = await run(quiet);
    return { out, code, error: code === 0 || out ? null : err.trim() || `exit ${code}` };
  } catch (error) {
    return { out, code: null, error: `${(error as Error).message}${err ? `\n${err.trim()}` : ''}` };
  }
}

/** `ao status --json` and its kin, one file each. */
export async function commandParts(project: Project, options: GlobalOptions, io: Io): Promise<Part[]> {
  const g = { ...(options.config === undefined ? {} : { config: options.config }) };
  const runs: Array<[string, (io: Io) => Promise<number>]> = [
    ['status.json', async (q) => (await import('./commands/status.js')).status({ ...g, json: true }, q)],
    ['phase.json', async (q) => (await import('./commands/phase.js')).phase({ ...g, action: 'status', json: true }, q)],
    ['cost.json', async (q) => (await import('./commands/cost.js')).cost({ ...g, json: true }, q)],
    ['doctor.json', async (q) => (await import('./commands/doctor.js')).doctor({ ...g, json: true }, q)],
    ['version.json', async (q) => (await import('./commands/version.js')).version({ verbose: true, json: true }, q)],
    ...project.agents.map((a): [string, (io: Io) => Promise<number>] => [
      `explain/${a.name}.json`,
      async (q) => (await import('./commands/explain.js')).explain({ ...g, agent: a.name, json: true }, q),
    ]),
  ];
  const parts: Part[] = [];
  for (const [path, run] of runs) {
    const { out, code, error } = await captured(run, io);
    if (out) parts.push({ path: `commands/${path}`, bytes: Buffer.from(out) });
    if (error) parts.push({ path: `commands/${path.replace(/\.json$/, '')}.error.txt`, bytes: Buffer.from(`exit ${code ?? '-'}: ${error}\n`) });
  }
  return parts;
}

const whole = (file: string): Buffer | null => {
  try {
    return readBytesCapped(file, FILE_CAP);
  } catch {
    return null; // a link, a FIFO, one past its cap: left out
  }
};
const tail = (file: string, bytes = LOG_TAIL): Buffer | null => {
  try {
    return readTailBytes(file, bytes)?.bytes ?? null;
  } catch {
    return null;
  }
};
const filesIn = (dir: string): string[] => {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
};

/** The config, the state files, the ledger and its verification, exits, kickoffs, log tails, and (`streams`) the loops' raw streams. */
export function fileParts(project: Project, streams: boolean): Part[] {
  const state = project.stateDir;
  const parts: Part[] = [];
  const add = (path: string, bytes: Buffer | null): void => void (bytes && parts.push({ path, bytes }));
  add('config/agents.toml', whole(project.configFile));
  const fleet = join(dirname(project.configFile), 'fleet.toml');
  if (existsSync(fleet)) add('config/fleet.toml', whole(fleet));
  for (const file of ledgerFiles(state)) add(`ledger/${basename(file)}`, whole(file));
  add('ledger/ledger-head.json', whole(layout.ledgerHead(state)));
  add('ledger/ledger-anchor.json', whole(layout.ledgerAnchor(state)));
  add('ledger/verify.json', Buffer.from(`${jsonText(verifyStateDir(state), 2)}\n`));
  add('state/agents.json', whole(layout.agents(state)));
  add('state/phase.json', whole(layout.phase(state)));
  for (const name of filesIn(layout.exits(state))) if (!name.startsWith('.')) add(`state/exits/${name}`, whole(join(layout.exits(state), name)));
  for (const name of filesIn(join(state, 'kickoff'))) if (name.endsWith('.md')) add(`kickoff/${name}`, whole(join(state, 'kickoff', name)));
  for (const name of filesIn(layout.logs(state))) if (name.endsWith('.log')) add(`logs/${name}`, tail(join(layout.logs(state), name)));
  if (streams)
    for (const agent of project.agents.filter((a) => a.kind === 'loop')) {
      const file = join(state, 'streams', `${agent.name}.jsonl`);
      // the iteration under way, else the last one that ended
      add(`streams/${agent.name}.jsonl`, tail(file, 4 * LOG_TAIL) ?? tail(`${file}.1`, 4 * LOG_TAIL));
    }
  return parts;
}
