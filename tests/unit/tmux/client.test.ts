import { describe, expect, it } from 'vitest';
import { launchArgv, respawnHook, shellQuote, Tmux, target } from '../../../src/tmux/client.js';
import type { Runner } from '../../../src/process/run.js';
import { ownSessions, parseSnapshot, SNAPSHOT_FORMAT } from '../../../src/tmux/snapshot.js';
import { wrapKickoff } from '../../../src/supervisor/launch.js';

describe('tmux argv', () => {
  it('targets sessions by exact name', () => {
    expect(target('builder')).toBe('=builder:');
  });

  it('starts a session with the agent as the pane program and remain-on-exit set in the same command list, and no environment', () => {
    const tmux = new Tmux('sock');
    const args = tmux.newSessionArgs({ name: 'p-b', cwd: '/w', argv: ['node', 'x.js'], logFile: "/s/it's.log" });
    expect(tmux.argv(args)).toEqual([
      'tmux',
      '-L',
      'sock',
      'new-session',
      '-d',
      '-s',
      'p-b',
      '-x',
      '200',
      '-y',
      '50',
      '-c',
      '/w',
      'node',
      'x.js',
      ';',
      'set-option',
      '-w',
      '-t',
      '=p-b:',
      'remain-on-exit',
      'on',
      ';',
      'pipe-pane',
      '-t',
      '=p-b:',
      '-o',
      `exec dd of='/s/it'\\''s.log' oflag=append,nofollow conv=notrunc bs=65536 status=none`,
    ]);
  });

  it("names the session's owner in the same command list as new-session, and reads it back in the snapshot", () => {
    const tmux = new Tmux('sock');
    const args = tmux.newSessionArgs({ name: 'p-b', cwd: '/w', argv: ['node', 'x.js'], owner: '/a b/agents.toml' });
    expect(args.slice(args.indexOf('x.js') + 1)).toEqual([
      ';',
      'set-option',
      '-w',
      '-t',
      '=p-b:',
      'remain-on-exit',
      'on',
      ';',
      'set-option',
      '-t',
      '=p-b:',
      '@ao_project',
      '/a b/agents.toml',
    ]);
    expect(SNAPSHOT_FORMAT.endsWith('\t#{@ao_project}')).toBe(true);
    const [mine, none, tabbed] = parseSnapshot(
      'p-b\t%1\t42\t0\t\t\t1\t1\t/a b/agents.toml\np-c\t%2\t43\t0\t\t\t1\t1\t\np-d\t%3\t44\t0\t\t\t1\t1\t/x\ty/agents.toml\n',
    );
    expect([mine?.owner, none?.owner, tabbed?.owner]).toEqual(['/a b/agents.toml', null, '/x\ty/agents.toml']);
    const { own, foreign } = ownSessions([mine!, none!, tabbed!], '/a b/agents.toml');
    expect([...own.keys()]).toEqual(['p-b']);
    expect([...foreign.keys()]).toEqual(['p-c', 'p-d']);
  });

  it('a session that tmux respawns when its program dies of a signal or a non-zero exit, never after exit 0', () => {
    const tmux = new Tmux('sock');
    const args = tmux.newSessionArgs({ name: 'p-watchdog', cwd: '/w', argv: ['sh', '-c', 'x'], respawnOnCrash: 'AO_R=1' });
    expect(args.at(-1)).toBe("if-shell -F '#{!=:#{pane_dead_status},0}' 'respawn-pane -e AO_R=1 -t =p-watchdog:'");
    expect(args.slice(-5, -1)).toEqual(['set-hook', '-t', '=p-watchdog:', 'pane-died']);
    // nothing that tmux's parser would read as a second command or a quote
    expect(() => respawnHook("p'x", 'AO_R=1')).toThrow(/cannot name/);
    expect(() => respawnHook('p', 'A=1; kill-server')).toThrow(/cannot name/);
  });

  it('removes the hook before a stop on purpose; a gone session is no error', async () => {
    const calls: string[][] = [];
    const runner: Runner = async (argv) => {
      calls.push([...argv]);
      return { exitCode: 1, stdout: '', stderr: "can't find session: p-watchdog" };
    };
    expect(await new Tmux('sock', runner).unhook('p-watchdog')).toBe(false);
    expect(calls).toEqual([['tmux', '-L', 'sock', 'set-hook', '-u', '-t', '=p-watchdog:', 'pane-died']]);
  });

  it('keeps a one-word command out of the shell tmux would use', () => {
    expect(launchArgv(['python3'])).toEqual(['env', '--', 'python3']);
    expect(launchArgv(['python3', '-q'])).toEqual(['python3', '-q']);
  });

  it('hands a kickoff to arg and stdin programs through a fixed script, never through the text', () => {
    const record = `s=$?; set -C; umask 077; t=$(mktemp -u "$AO_EXIT_FILE.ao-tmp-XXXXXXXXXX") && printf '%s %s\\n' "$AO_RUN_ID" "$s" > "$t" && mv -fT "$t" "$AO_EXIT_FILE"; exit "$s"`;
    expect(wrapKickoff(['claude', '-p'], 'arg')).toEqual([
      'sh',
      '-c',
      `unset CI CONTINUOUS_INTEGRATION; trap : INT QUIT; "$@" "$(cat "$AO_KICKOFF_FILE")"; ${record}`,
      'ao-launch',
      'claude',
      '-p',
    ]);
    expect(wrapKickoff(['x'], 'stdin')).toEqual([
      'sh',
      '-c',
      `unset CI CONTINUOUS_INTEGRATION; trap : INT QUIT; "$@" < "$AO_KICKOFF_FILE"; ${record}`,
      'ao-launch',
      'x',
    ]);
    expect(wrapKickoff(['x'], 'paste')).toEqual(['sh', '-c', `unset CI CONTINUOUS_INTEGRATION; trap : INT QUIT; "$@"; ${record}`, 'ao-launch', 'x']);
  });

  it('quotes for sh only where needed', () => {
    expect(shellQuote('/a/b.log')).toBe('/a/b.log');
    expect(shellQuote('a b')).toBe("'a b'");
    expect(shellQuote('$(x)')).toBe("'$(x)'");
  });

  it('asks for every pane in one list-panes call and parses it', async () => {
    const calls: string[][] = [];
    const runner: Runner = async (argv) => {
      calls.push([...argv]);
      return { stdout: 'p-b\t%1\t42\t0\t\t\t1700000000\t1699999000\t/p/agents.toml\np-a\t%2\t43\t1\t\t9\t1700000001\t1699999001\t\n', stderr: '', exitCode: 0 };
    };
    const tmux = new Tmux('sock', runner);
    Object.defineProperty(tmux, 'serverMayRun', { value: () => true });
    const panes = await tmux.snapshot();
    expect(calls).toEqual([['tmux', '-L', 'sock', 'list-panes', '-a', '-F', SNAPSHOT_FORMAT]]);
    expect(panes).toEqual(parseSnapshot('p-b\t%1\t42\t0\t\t\t1700000000\t1699999000\t/p/agents.toml\np-a\t%2\t43\t1\t\t9\t1700000001\t1699999001\t\n'));
    expect(panes[1]).toMatchObject({ session: 'p-a', dead: true, deadStatus: null, deadSignal: 9, pid: 43 });
  });

  it("attaches through the same port: the exact argv, and tmux's exit code", async () => {
    const calls: string[][] = [];
    const tmux = new Tmux('sock', undefined, async (argv) => {
      calls.push([...argv]);
      return 3;
    });
    expect(await tmux.attach('p-b')).toBe(3);
    expect(calls).toEqual([['tmux', '-L', 'sock', 'attach-session', '-t', '=p-b']]);
  });

  it('makes a session once more when the server ended under the first try, after what the retry needs is made again', async () => {
    const steps: string[] = [];
    let tries = 0;
    const runner: Runner = async (argv) => {
      steps.push(argv[3] ?? '');
      tries++;
      return tries === 1 ? { stdout: '', stderr: 'server exited unexpectedly', exitCode: 1 } : { stdout: '', stderr: '', exitCode: 0 };
    };
    const tmux = new Tmux('sock', runner);
    await tmux.newSession({ name: 'p-b', cwd: '/w', argv: ['sh'] }, () => steps.push('env file again'));
    expect(steps).toEqual(['new-session', 'env file again', 'new-session']);
    // any other refusal stands, and nothing is made again
    const refusing = new Tmux('sock', async () => ({ stdout: '', stderr: 'duplicate session: p-b', exitCode: 1 }));
    let again = 0;
    await expect(refusing.newSession({ name: 'p-b', cwd: '/w', argv: ['sh'] }, () => again++)).rejects.toThrow(/duplicate session/);
    expect(again).toBe(0);
  });

  it('runs no tmux at all when no server socket exists', async () => {
    const runner: Runner = async () => {
      throw new Error('tmux must not run');
    };
    const tmux = new Tmux(`ao-never-${process.pid}`, runner);
    expect(await tmux.snapshot()).toEqual([]);
  });
});

describe('the socket path', () => {
  it('follows tmux: TMUX_TMPDIR, else /tmp, never TMPDIR', () => {
    const saved = { TMUX_TMPDIR: process.env.TMUX_TMPDIR, TMPDIR: process.env.TMPDIR };
    try {
      delete process.env.TMUX_TMPDIR;
      process.env.TMPDIR = '/var/tmp';
      expect(new Tmux('s').socketPath).toBe(`/tmp/tmux-${process.getuid!()}/s`);
      process.env.TMUX_TMPDIR = '/run/x';
      expect(new Tmux('s').socketPath).toBe(`/run/x/tmux-${process.getuid!()}/s`);
    } finally {
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
    }
  });
});
