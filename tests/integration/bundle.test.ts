/**
 * `ao bundle` of a real team whose agents.toml env and whose pane output hold
 * a fake key, with a webhook whose path is a secret: the bundle opens with
 * tar, its manifest matches every file, and no byte of either secret is in any
 * file of it; it works while the team runs and once it is down.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { team, waitFor } from '../helpers/ao.js';
import { startWebhook } from '../helpers/webhook.js';

const KEY = `sk-ant-test-${randomBytes(12).toString('hex')}`;
const PRINTED = `sk-ant-test-${randomBytes(12).toString('hex')}`;
const TOKEN = `ghp_${randomBytes(16).toString('hex')}`;
const web = await startWebhook();
const HOOK_SECRET = new URL(web.url).pathname; // /hook/secret-token
afterAll(() => web.close());

// the agent prints its key, a key of its own and a GitHub token, as a CLI's debug output could
const talk = `echo "key=$ANTHROPIC_API_KEY"; echo "other ${PRINTED} and ${TOKEN}"; exec sleep 100000`;
const { dir, ao } = team(
  'bundle',
  {
    'agents.toml':
      `[defaults]\nbackend = "shell"\n\n[agents.talker]\nkind = "persistent"\nkickoff = "none"\ncommand = "sh"\nargs = ["-c", ${JSON.stringify(talk)}]\n` +
      `env = { ANTHROPIC_API_KEY = "${KEY}" }\n\n[[phases]]\nid = "one"\nplan = "one.md"\n\n[notify]\nwebhook = "${web.url}"\n`,
    'prompts/kickoff.md': 'go\n',
    'phases/one.md': '# one\n',
  },
  { teardown: 'afterAll' },
);
const unpacked: string[] = [];
afterAll(() => unpacked.forEach((d) => rmSync(d, { recursive: true, force: true })));

const walk = (d: string): string[] => readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));

/** Unpacks a bundle with tar; its root folder, and every file in it by its path inside. */
function unpack(archive: string): { root: string; files: Map<string, Buffer> } {
  const into = mkdtempSync(join(tmpdir(), 'ao-bundle-out-'));
  unpacked.push(into);
  execFileSync('tar', ['-xzf', archive, '-C', into]);
  const [top] = readdirSync(into);
  const root = join(into, top!);
  return { root, files: new Map(walk(root).map((f) => [relative(root, f), readFileSync(f)])) };
}

function checkBundle(archive: string): Map<string, Buffer> {
  const { files } = unpack(archive);
  // the manifest names every other file, and each sum matches
  const manifest = files.get('MANIFEST.sha256')!.toString('utf8').trim().split('\n');
  const listed = new Map(manifest.map((l) => [l.slice(66), l.slice(0, 64)] as const));
  expect([...listed.keys()].sort()).toEqual([...files.keys()].filter((f) => f !== 'MANIFEST.sha256').sort());
  for (const [path, sum] of listed) expect(createHash('sha256').update(files.get(path)!).digest('hex'), path).toBe(sum);
  // no byte of a secret, anywhere
  for (const [path, bytes] of files) {
    for (const secret of [KEY, PRINTED, TOKEN, HOOK_SECRET, 'secret-token', 'sk-ant-test-']) expect(bytes.includes(secret), `${secret} in ${path}`).toBe(false);
  }
  return files;
}

describe('ao bundle', () => {
  it('while the team runs: everything in one tar.gz, secrets redacted, the manifest matching', { timeout: 90_000 }, async () => {
    expect((await ao('up')).code).toBe(0);
    const log = join(dir, 'state', 'logs', 'talker.log');
    await waitFor(async () => {
      try {
        return readFileSync(log, 'utf8').includes(PRINTED);
      } catch {
        return false;
      }
    }, 15_000);
    // the secrets are there to be found: the pane log holds both keys, agents.toml the key and the hook's path
    expect(readFileSync(log, 'utf8')).toContain(KEY);
    const out = join(dir, 'incident.tar.gz');
    const made = await ao('bundle', '--out', out, '--streams');
    expect(made.code, made.stderr).toBe(0);
    expect(made.stdout).toMatch(new RegExp(`^${out.replace(/[.]/g, '\\.')} \\((\\d+) bytes, \\d+ files, \\d+ ms\\)$`, 'm'));
    expect(Number(/\((\d+) bytes/.exec(made.stdout)![1])).toBe(statSync(out).size);
    const files = checkBundle(out);
    for (const path of [
      'README.md',
      'config/agents.toml',
      'commands/status.json',
      'commands/phase.json',
      'commands/cost.json',
      'commands/doctor.json',
      'commands/version.json',
      'commands/explain/talker.json',
      'ledger/events.jsonl',
      'ledger/ledger-head.json',
      'ledger/verify.json',
      'state/agents.json',
      'logs/talker.log',
      'logs/watchdog.log',
    ])
      expect(files.has(path), path).toBe(true);
    // phase.json is written at the first phase change: in the bundle when it is in the state folder
    expect(files.has('state/phase.json')).toBe(existsSync(join(dir, 'state', 'phase.json')));
    const status = JSON.parse(files.get('commands/status.json')!.toString()) as { agents: Array<{ name: string; state: string }>; ledger: { seq: number } };
    expect(status.agents.find((a) => a.name === 'talker')?.state).toBe('running');
    expect(JSON.parse(files.get('ledger/verify.json')!.toString())).toMatchObject({ intact: true });
    // what was redacted is listed by name, with where it was
    const readme = files.get('README.md')!.toString();
    expect(readme).toContain('- agents.talker.env.ANTHROPIC_API_KEY: ');
    expect(readme).toContain('- notify.webhook (its path and query): ');
    expect(readme).toContain('- sk-ant-… (an Anthropic key): ');
    expect(readme).toContain('- ghp_… (a GitHub token): ');
    const talkerLog = files.get('logs/talker.log')!.toString();
    expect(talkerLog).toContain('key=[redacted]');
    expect(talkerLog).toContain('other [redacted] and [redacted]');
    expect(files.get('config/agents.toml')!.toString()).toContain(`ANTHROPIC_API_KEY = "[redacted]"`);
  });

  it('once the team is down, and under the default name in the project folder', { timeout: 60_000 }, async () => {
    expect((await ao('down')).code).toBe(0);
    const made = await ao('bundle', '--json');
    expect(made.code, made.stderr).toBe(0);
    const result = JSON.parse(made.stdout) as { path: string; bytes: number; files: number; redacted: Record<string, number> };
    expect(result.path).toMatch(new RegExp(`^${dir}/ao-bundle-ao-test-\\w+-\\d{8}T\\d{6}Z\\.tar\\.gz$`));
    expect(statSync(result.path).size).toBe(result.bytes);
    expect(statSync(result.path).mode & 0o777).toBe(0o600);
    expect(result.redacted['agents.talker.env.ANTHROPIC_API_KEY']).toBeGreaterThan(0);
    const files = checkBundle(result.path);
    const status = JSON.parse(files.get('commands/status.json')!.toString()) as { agents: Array<{ name: string; state: string }> };
    expect(status.agents.find((a) => a.name === 'talker')?.state).toBe('stopped');
  });
});
