/**
 * The gate bound to a commit, on real git and real tmux (a private socket per
 * team): the demo team in worktrees runs its three phases and lands each
 * passed commit on ao/accepted; a pass lands exactly the claimed commit, not
 * the builder's later work; a verdict on another commit, or a claim on none,
 * does not count; a target moved by hand is never forced: the phase stays
 * and the builder is told to rebase. The maintainer's checkout is never written.
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventsOf, team, waitFor, type EventLine } from '../helpers/ao.js';
import { checkout, git, initRepo } from '../helpers/git.js';

const sha = async (dir: string, rev = 'HEAD'): Promise<string> => (await git(dir, 'rev-parse', rev)).trim();

describe('the demo team with builder and adversary in worktrees', () => {
  const t = team('cg-demo', {}, { env: { AO_DEMO_PACE_S: '0.1' }, teardown: 'afterAll' });

  it('runs all three phases; ao/accepted ends at the last passed commit and holds every phase’s work; the checkout is untouched', async () => {
    expect((await t.ao('init', '--worktrees')).code).toBe(0);
    expect(readFileSync(join(t.dir, 'agents.toml'), 'utf8')).toMatch(/\[agents\.builder\]\nworkspace = "worktree"\n/);
    await initRepo(t.dir, 'main');
    // ao check explains the gate before anything touches the repository
    const check = await t.ao('check');
    expect(check.stdout).toContain('gate: bound to commits: builder claims a commit on ao/builder, the verdict names it, and a pass lands it on ao/accepted');
    const before = await checkout(t.dir);
    const up = await t.ao('up');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    await waitFor(async () => ((JSON.parse((await t.ao('status', '--json')).stdout) as { complete: boolean }).complete ? true : undefined), 90_000, 250);

    const events = await eventsOf(t.ao);
    const phase = events.filter((e) => e.agent === 'phase');
    const landed = phase.filter((e) => e.event === 'landed');
    const passes = phase.filter((e) => e.event === 'gate-pass');
    expect(passes).toHaveLength(3);
    expect(landed.map((e) => e.details?.['to'])).toEqual(passes.map((e) => e.details?.['sha']));
    expect(landed[0]!.details).toMatchObject({ target: 'ao/accepted', from: null });
    // every claim and verdict named its commit, and the fail of phase two named the one it failed
    for (const e of phase.filter((x) => ['gate-claimed', 'gate-pass', 'gate-fail'].includes(x.event))) expect(e.details?.['sha']).toMatch(/^[0-9a-f]{40}$/);
    expect(phase.filter((e) => e.event === 'gate-fail')).toHaveLength(1);

    const last = passes.at(-1)!.details!['sha'] as string;
    expect(await sha(t.dir, 'ao/accepted')).toBe(last);
    const files = (await git(t.dir, 'ls-tree', '-r', '--name-only', 'ao/accepted')).split('\n');
    expect(files).toEqual(expect.arrayContaining(['sandbox/README.md', 'sandbox/hello.txt', 'sandbox/greet.txt', 'sandbox/NOTES.md', 'sandbox/CHANGELOG.md']));
    expect(await git(t.dir, 'show', 'ao/accepted:sandbox/greet.txt')).toBe('hello, ao\n');
    // the review read the commit: the adversary's worktree sits detached at the last claim
    expect(await sha(join(t.dir, 'state', 'worktrees', 'adversary'))).toBe(last);
    expect(await checkout(t.dir)).toEqual(before);
    // the ledger holds together: every advance rests on its claim and pass, the landings between them included
    const verify = await t.ao('verify');
    expect(verify.code, verify.stdout + verify.stderr).toBe(0);

    const phaseJson = JSON.parse((await t.ao('phase', '--json')).stdout) as { commits: Record<string, unknown> };
    expect(phaseJson.commits).toMatchObject({
      builder_branch: 'ao/builder',
      claim: null,
      last_verdict: { phase: 'polish', sha: last, pass: true },
      target: { branch: 'ao/accepted', head: last },
    });
  });
});

const shellAgent = (name: string): string =>
  `[agents.${name}]\nkind = "persistent"\nkickoff = "none"\nworkspace = "worktree"\ncommand = "sleep"\nargs = ["100000"]\n`;

describe('a pass lands exactly the claimed commit (the test writes the journal and the review)', () => {
  const t = team(
    'cg-exact',
    {
      'agents.toml': [
        '[defaults]\nbackend = "shell"\n',
        shellAgent('builder'),
        shellAgent('adversary'),
        '[[phases]]\nid = "one"\nplan = "one.md"\n\n[[phases]]\nid = "two"\nplan = "two.md"\n\n[[phases]]\nid = "three"\nplan = "three.md"\n',
        '[watchdog]\nstall_check_s = 0.5\n',
      ].join('\n'),
      'prompts/kickoff.md': 'go\n',
      'phases/one.md': '# one\n',
      'phases/two.md': '# two\n',
      'phases/three.md': '# three\n',
      '.gitignore': 'state/\n',
      'README.md': 'hello\n',
    },
    { teardown: 'afterAll' },
  );
  const state = join(t.dir, 'state');
  const wt = join(state, 'worktrees', 'builder');
  const journal = (phase: string, text: string): void => appendFileSync(join(state, `JOURNAL-${phase}.md`), text);
  const review = (phase: string, text: string): void => appendFileSync(join(state, `REVIEW-${phase}.md`), text);
  const inbox = (name: string): string => {
    try {
      return readFileSync(join(state, 'inbox', `${name}.md`), 'utf8');
    } catch {
      return '';
    }
  };
  const commit = async (file: string, text: string): Promise<string> => {
    appendFileSync(join(wt, file), text);
    await git(wt, 'add', '-A');
    await git(wt, 'commit', '-q', '-m', `builder: ${file}`);
    return sha(wt);
  };
  const eventOf = (name: string, n = 1): Promise<EventLine> =>
    waitFor(async () => (await eventsOf(t.ao)).filter((e) => e.agent === 'phase' && e.event === name)[n - 1], 15_000);
  const phaseNow = async (): Promise<string> => (JSON.parse((await t.ao('phase', '--json')).stdout) as { id: string }).id;
  let before: string[] = [];

  beforeAll(async () => {
    await initRepo(t.dir);
    before = await checkout(t.dir);
    const up = await t.ao('up');
    expect(up.code, up.stdout + up.stderr).toBe(0);
  });

  it('a claim that names no commit is refused, and the builder is told how to claim', async () => {
    journal('one', 'GATE CLAIMED: one\n');
    expect((await eventOf('claim-refused')).reason).toMatch(/names no commit/);
    await waitFor(async () => (/Your claim of the gate of phase one .* does not count: it names no commit/.test(inbox('builder')) ? true : undefined));
    // a ref is no SHA: HEAD would be the maintainer's checkout's commit, which is on the builder's branch too
    journal('one', 'GATE CLAIMED: one HEAD\n');
    expect((await eventOf('claim-refused', 2)).reason).toMatch(/HEAD is not a commit SHA/);
  });

  it('the builder claims c1 (abbreviated) and commits c2 after; a verdict on c2 does not count; the pass on c1 lands c1, not c2', async () => {
    const c1 = await commit('work.txt', 'first\n');
    journal('one', `GATE CLAIMED: one ${c1.slice(0, 10)}\n`);
    expect((await eventOf('gate-claimed')).details).toMatchObject({ sha: c1 });
    const phase = JSON.parse((await t.ao('phase', '--json')).stdout) as { commits: { claim: string | null } };
    expect(phase.commits.claim).toBe(c1);
    const c2 = await commit('work.txt', 'later, unreviewed\n');

    review('one', `VERDICT: PASS one ${c2}\n`);
    expect((await eventOf('verdict-refused')).reason).toContain(`it names ${c2}, but the open claim is on ${c1}`);
    await waitFor(async () => (inbox('adversary').includes('does not count') ? true : undefined));
    expect(await phaseNow()).toBe('one');

    review('one', `VERDICT: PASS one ${c1}\n`);
    expect((await eventOf('landed')).details).toEqual({ target: 'ao/accepted', from: null, to: c1 });
    expect(await sha(t.dir, 'ao/accepted')).toBe(c1);
    expect(await git(t.dir, 'show', 'ao/accepted:work.txt')).toBe('first\n');
    expect(await phaseNow()).toBe('two');
    expect(await checkout(t.dir)).toEqual(before);
  });

  it('the target moved by hand: the pass does not land, the phase stays, the builder is told to rebase', async () => {
    const c3 = await commit('work.txt', 'phase two\n');
    journal('two', `GATE CLAIMED: two ${c3}\n`);
    expect((await eventOf('gate-claimed', 2)).details).toMatchObject({ sha: c3 });
    // the maintainer moves ao/accepted to a commit of their own, off the builder's line
    const accepted = await sha(t.dir, 'ao/accepted');
    const side = (await git(t.dir, 'commit-tree', `${accepted}^{tree}`, '-p', accepted, '-m', 'the maintainer was here')).trim();
    await git(t.dir, 'update-ref', 'refs/heads/ao/accepted', side, accepted);

    review('two', `VERDICT: PASS two ${c3}\n`);
    const refused = await eventOf('land-refused');
    expect(refused.details).toEqual({ target: 'ao/accepted', sha: c3 });
    expect(refused.reason).toMatch(/cannot fast-forward/);
    await waitFor(async () => (/could not land it on ao\/accepted: .*Rebase your branch onto ao\/accepted/s.test(inbox('builder')) ? true : undefined));
    expect(await sha(t.dir, 'ao/accepted')).toBe(side);
    expect(await phaseNow()).toBe('two');
    const phase = JSON.parse((await t.ao('phase', '--json')).stdout) as { gate: string; commits: { target: { head: string } } };
    expect(phase).toMatchObject({ gate: 'open', commits: { target: { head: side } } });
    expect(await checkout(t.dir)).toEqual(before);
  });
});
