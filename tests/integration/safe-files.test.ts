import { execa } from 'execa';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AO, demoProject, eventsOf, onePhaseFiles, statusOf, team, teamIn, waitFor, type Team } from '../helpers/ao.js';

// Issue 21: nothing planted in the state folder (a link, a FIFO, a device) makes ao write
// outside it, block, or stop healing; each bad file is one event.

const sha = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

function shellTeam(tag: string, extra = ''): Team {
  return team(
    tag,
    {
      'agents.toml': [
        '[defaults]\nbackend = "shell"\n',
        '[agents.alpha]\nkind = "persistent"\ncommand = "sleep"\nargs = ["100000"]\n',
        '[agents.beta]\nkind = "persistent"\ncommand = "sh"\nargs = ["-c", "echo hello-from-beta; exec sleep 100000"]\n',
        '[[phases]]\nid = "one"\nplan = "one.md"\n',
        `[watchdog]\nhealthy_after_s = 0.3\nstall_check_s = 1\n${extra}`,
      ].join('\n'),
      'prompts/kickoff.md': 'go\n',
      'phases/one.md': '# one\n',
      'victims/.keep': '',
    },
    { teardown: 'afterTest' },
  );
}

async function runningPid(ao: Team['ao'], name: string, not?: number): Promise<number> {
  return waitFor(async () => {
    const a = (await statusOf(ao)).agents[name];
    return a?.state === 'running' && a.pid && a.pid !== not ? a.pid : undefined;
  }, 15_000);
}

/** A victim outside the state folder, and its hash. */
function victim(dir: string, name: string): { file: string; hash: string } {
  const file = join(dir, 'victims', name);
  writeFileSync(file, `${name}: must never change\n`);
  return { file, hash: sha(file) };
}

describe('links planted in the state folder are never followed', () => {
  it('ao send, heals, the good copy, exit records, watchdog.pid, the pane log, the log cap and events.jsonl leave every victim unchanged', async () => {
    const t = shellTeam('links', 'log_max_mb = 0.001\n');
    const state = join(t.dir, 'state');
    for (const sub of ['logs', 'kickoff', 'exits', 'inbox']) mkdirSync(join(state, sub), { recursive: true });
    // planted before ao up: the pane log before its pipe opens it, a log (past the cap) and its .1, watchdog.pid, a kickoff, the good copy
    const paneLog = victim(t.dir, 'pane-log');
    symlinkSync(paneLog.file, join(state, 'logs', 'beta.log'));
    writeFileSync(join(state, 'logs', 'alpha.log'), `${'x'.repeat(4000)}END-OF-ALPHA\n`);
    const rotated = victim(t.dir, 'rotated');
    symlinkSync(rotated.file, join(state, 'logs', 'alpha.log.1'));
    const pidFile = victim(t.dir, 'pid');
    symlinkSync(pidFile.file, join(state, 'watchdog.pid'));
    const kickoff = victim(t.dir, 'kickoff');
    symlinkSync(kickoff.file, join(state, 'kickoff', 'alpha.md'));
    const good = victim(t.dir, 'good');
    symlinkSync(good.file, join(state, 'agents.json.good'));

    const up = await t.ao('up');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const alpha = await runningPid(t.ao, 'alpha');
    await runningPid(t.ao, 'beta');

    // the pane log is ao's own file, and beta's output went there
    await waitFor(
      async () =>
        (lstatSync(join(state, 'logs', 'beta.log')).isFile() && readFileSync(join(state, 'logs', 'beta.log'), 'utf8').includes('hello-from-beta')) || undefined,
    );
    // the first sweep capped alpha.log: truncated through ao's descriptor, its tail in a real .1
    await waitFor(async () => (lstatSync(join(state, 'logs', 'alpha.log.1')).isFile() ? true : undefined));
    expect(readFileSync(join(state, 'logs', 'alpha.log.1'), 'utf8')).toContain('END-OF-ALPHA');
    expect(lstatSync(join(state, 'watchdog.pid')).isFile()).toBe(true);
    expect(lstatSync(join(state, 'kickoff', 'alpha.md')).isFile()).toBe(true);
    expect(lstatSync(join(state, 'agents.json.good')).isFile()).toBe(true);

    // ao send into an inbox that is a link: refused with the file's name, nothing written
    const inbox = victim(t.dir, 'inbox');
    symlinkSync(inbox.file, join(state, 'inbox', 'alpha.md'));
    const send = await t.ao('send', 'alpha', 'hello');
    expect(send.code).not.toBe(0);
    expect(send.stderr).toMatch(/inbox\/alpha\.md.*symbolic link/);

    // a heal with the exit record, the kickoff and the good copy planted again, and events.jsonl a link
    const exit = victim(t.dir, 'exit');
    symlinkSync(exit.file, join(state, 'exits', 'alpha'));
    rmSync(join(state, 'kickoff', 'alpha.md'));
    symlinkSync(kickoff.file, join(state, 'kickoff', 'alpha.md'));
    rmSync(join(state, 'agents.json.good'));
    symlinkSync(good.file, join(state, 'agents.json.good'));
    rmSync(join(state, 'events.jsonl'));
    const events = victim(t.dir, 'events');
    symlinkSync(events.file, join(state, 'events.jsonl'));
    // the agent itself, the launcher's child, so that the launcher records how it ended
    const child = Number(readFileSync(`/proc/${alpha}/task/${alpha}/children`, 'utf8').trim().split(' ')[0]);
    expect(child).toBeGreaterThan(0);
    process.kill(child, 'SIGKILL');
    await waitFor(async () => (lstatSync(join(state, 'exits', 'alpha')).isFile() ? true : undefined));
    const healed = await runningPid(t.ao, 'alpha', alpha);
    expect(healed).not.toBe(alpha);
    expect(lstatSync(join(state, 'exits', 'alpha')).isFile()).toBe(true);
    expect(readFileSync(join(state, 'exits', 'alpha'), 'utf8')).toMatch(/^\S+ 137\n$/);

    for (const v of [paneLog, rotated, pidFile, kickoff, good, inbox, exit, events]) expect(sha(v.file), v.file).toBe(v.hash);
  }, 60_000);
});

describe('files that are not files', () => {
  it('a FIFO journal and a review linked to /dev/zero: the watchdog keeps healing, status answers, one event each', async () => {
    const t = shellTeam('fifo');
    const state = join(t.dir, 'state');
    mkdirSync(state, { recursive: true });
    execFileSync('mkfifo', [join(state, 'JOURNAL-one.md')]);
    symlinkSync('/dev/zero', join(state, 'REVIEW-one.md'));
    expect((await t.ao('up')).code).toBe(0);
    const alpha = await runningPid(t.ao, 'alpha');
    process.kill(alpha, 'SIGKILL');
    await runningPid(t.ao, 'alpha', alpha);
    const began = Date.now();
    const status = await t.ao('status');
    expect(status.code).toBe(0);
    // a functional bound: a read of the FIFO would block until the test's own timeout
    expect(Date.now() - began).toBeLessThan(15_000);
    // a few more sweeps: still one event per file
    await new Promise((r) => setTimeout(r, 2500));
    const bad = (await eventsOf(t.ao)).filter((e) => e.event === 'bad-file');
    expect(bad.filter((e) => e.reason.includes('JOURNAL-one.md'))).toHaveLength(1);
    expect(bad.filter((e) => e.reason.includes('REVIEW-one.md'))).toHaveLength(1);
    expect(bad.find((e) => e.reason.includes('JOURNAL-one.md'))?.reason).toMatch(/FIFO/);
    expect(bad.find((e) => e.reason.includes('REVIEW-one.md'))?.reason).toMatch(/symbolic link/);
    // a journal and a review are the phase's files: their events say so
    expect(bad.filter((e) => /(JOURNAL|REVIEW)-one\.md/.test(e.reason)).map((e) => e.agent)).toEqual(['phase', 'phase']);
  }, 60_000);

  it('a FIFO kickoff template, or one linked to /dev/zero: ao check and ao status return at once with a clear error', async () => {
    const { socket, dir } = team(
      'fifo-kickoff',
      {
        'agents.toml': '[defaults]\nbackend = "shell"\n[agents.a]\nkind = "persistent"\ncommand = "true"\n[[phases]]\nid = "one"\nplan = "one.md"\n',
        'phases/one.md': '# one\n',
      },
      { teardown: 'afterTest' },
    );
    const run = (...args: string[]) =>
      execa(process.execPath, [AO, ...args], { cwd: dir, reject: false, timeout: 20_000, env: { AO_TMUX_SOCKET: socket, AO_CONFIG: '', TMUX: '' } });
    for (const plant of [
      () => execFileSync('mkfifo', [join(dir, 'prompts', 'kickoff.md')]),
      () => symlinkSync('/dev/zero', join(dir, 'prompts', 'kickoff.md')),
    ]) {
      rmSync(join(dir, 'prompts'), { recursive: true, force: true });
      mkdirSync(join(dir, 'prompts'));
      plant();
      for (const command of ['check', 'status']) {
        const began = Date.now();
        const result = await run(command);
        expect(result.timedOut).toBe(false);
        expect(Date.now() - began).toBeLessThan(10_000);
        expect(result.exitCode, command).toBe(2);
        expect(String(result.stderr), command).toMatch(/kickoff\.md.*(FIFO|outside the project folder)/s);
      }
    }
  }, 60_000);
});

describe('agents.toml paths are checked after resolving links', () => {
  it('cwd = "rootlink/etc" with rootlink -> / is refused like cwd = "/etc"', async () => {
    const t = team(
      'rootlink',
      onePhaseFiles(
        '[defaults]\nbackend = "shell"\n[agents.a]\nkind = "persistent"\ncommand = "true"\ncwd = "rootlink/etc"\n[[phases]]\nid = "one"\nplan = "one.md"\n',
      ),
      { teardown: 'afterTest' },
    );
    symlinkSync('/', join(t.dir, 'rootlink'));
    const check = await t.ao('check');
    expect(check.code).toBe(2);
    expect(check.stderr).toMatch(/agents\.a\.cwd|cwd/);
    expect(check.stderr).toContain('"rootlink/etc" points outside the project folder');
    expect(check.stderr).toContain('symbolic link (to /etc)');
  });
});

describe('file modes', () => {
  it('under umask 022, after ao up and a few iterations of the demo team, every file is 0600 and every folder 0700', async () => {
    const { socket, dir } = teamIn('modes', demoProject(), { env: { AO_DEMO_PACE_S: '0.1' }, teardown: 'afterTest' });
    const ao = (...args: string[]) =>
      execa('sh', ['-c', 'umask 022; exec "$0" "$@"', process.execPath, AO, ...args], {
        cwd: dir,
        reject: false,
        env: { AO_TMUX_SOCKET: socket, AO_CONFIG: '', TMUX: '', AO_DEMO_PACE_S: '0.1' },
      });
    // a state folder an older ao left readable by others is made private by ao up, and it says so
    mkdirSync(join(dir, 'state', 'inbox'), { recursive: true, mode: 0o755 });
    writeFileSync(join(dir, 'state', 'inbox', 'old.md'), '', { mode: 0o644 });
    const up = await ao('up');
    expect(up.exitCode, String(up.stdout) + String(up.stderr)).toBe(0);
    expect(String(up.stdout)).toMatch(/state folder .* made private/);
    // a few iterations: the builder's journal, the adversary's review, usage, events, kickoffs, pane logs
    await waitFor(async () => existsSync(join(dir, 'state', 'REVIEW-scaffold.md')) || undefined, 30_000, 200);
    await ao('send', 'orchestrator', 'hello');
    const wrong: string[] = [];
    const walk = (path: string): void => {
      for (const name of readdirSync(path)) {
        const p = join(path, name);
        const st = lstatSync(p);
        if (st.isSymbolicLink()) continue; // the state lock is a link whose target names its holder
        const mode = st.mode & 0o777;
        if (st.isDirectory()) {
          if (mode !== 0o700) wrong.push(`${p} ${mode.toString(8)}`);
          walk(p);
        } else if (mode !== 0o600) wrong.push(`${p} ${mode.toString(8)}`);
      }
    };
    walk(join(dir, 'state'));
    expect(lstatSync(join(dir, 'state')).mode & 0o777).toBe(0o700);
    expect(wrong).toEqual([]);
  }, 90_000);
});
