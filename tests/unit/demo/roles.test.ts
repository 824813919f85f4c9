import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDemoAgent, type DemoAgentOptions } from '../../../src/demo/agent.js';
import { claimLine, parseClaims, parseVerdicts, passLine, stepGate, type GateEvent } from '../../../src/phases/gate.js';
import { openGate } from '../../../src/state/gate-state.js';
import { layout } from '../../../src/state/layout.js';

let root: string;
let state: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'ao-demo-roles-'));
  state = join(root, 'state');
  mkdirSync(join(root, 'phases'));
  mkdirSync(state);
  writeFileSync(join(root, 'kickoff.md'), '# kickoff\n');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

/** A plan of the repository (phases/), or a plan text of the test's own. */
function plan(fileOrText: string): string {
  const file = join(root, 'phases', fileOrText.endsWith('.md') ? fileOrText : 'plan.md');
  if (fileOrText.endsWith('.md')) copyFileSync(new URL(`../../../phases/${fileOrText}`, import.meta.url), file);
  else writeFileSync(file, fileOrText);
  return file;
}

const journalOf = (phase: string): string => layout.journal(state, phase);
const reviewOf = (phase: string): string => layout.review(state, phase);
const read = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');
const sandbox = (name: string): string => join(state, 'sandbox', name);

/** One iteration of a role, in-process, at a fast pace; resolves to its exit code and output. */
async function iteration(
  name: 'builder' | 'adversary',
  phase: string,
  planFile: string,
  extra: Partial<DemoAgentOptions> = {},
): Promise<{ code: number; out: string }> {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  const env = {
    AO_AGENT: name,
    AO_STATE_DIR: state,
    AO_PHASE: phase,
    AO_PLAN: planFile,
    AO_JOURNAL: journalOf(phase),
    AO_REVIEW: reviewOf(phase),
    AO_INBOX: layout.inbox(state, name),
  };
  const code = await runDemoAgent({
    name,
    kind: 'loop',
    kickoffFile: join(root, 'kickoff.md'),
    stdin: new PassThrough(),
    stdout,
    env,
    paceS: 0.01,
    minIterationMs: 0,
    now: () => new Date('2030-01-02T03:04:05.000Z'),
    ...extra,
  });
  return { code, out };
}

describe('the demo builder', () => {
  it('writes the Build files, one journal entry and exactly one claim line', async () => {
    const planFile = plan('01-scaffold.md');
    const { code, out } = await iteration('builder', 'scaffold', planFile);
    expect(code).toBe(0);
    expect(read(sandbox('README.md'))).toBe('a demo project built by the ao demo team\n');
    expect(read(sandbox('hello.txt'))).toBe('hello from the builder\n');
    const journal = read(journalOf('scaffold'));
    expect(journal).toMatch(/^## 2030-01-02T03:04:05\.000Z — attempt 1\n\nFirst attempt at phase scaffold/);
    expect(journal).toContain('- `sandbox/hello.txt`: hello from the builder\n');
    expect(journal.endsWith(`\n\n${claimLine('scaffold')}\n`)).toBe(true);
    expect(parseClaims(journal, 'scaffold')).toHaveLength(1);
    expect(out).toContain('[demo builder] phase scaffold, plan ');
    expect(out).toContain('[demo builder] wrote sandbox/README.md\n');
    expect(out).toContain('[demo builder] claimed the gate of phase scaffold');
    expect(read(reviewOf('scaffold'))).toBe('');
  });

  it('writes nothing while its claim is open', async () => {
    const planFile = plan('01-scaffold.md');
    await iteration('builder', 'scaffold', planFile);
    const journal = read(journalOf('scaffold'));
    rmSync(join(state, 'sandbox'), { recursive: true });
    const { code, out } = await iteration('builder', 'scaffold', planFile);
    expect(code).toBe(0);
    expect(out).toContain('[demo builder] gate claimed, waiting for the review\n');
    expect(read(journalOf('scaffold'))).toBe(journal);
    expect(existsSync(join(state, 'sandbox'))).toBe(false);
  });

  it('waits after a pass rather than claiming again (ao has yet to move on)', async () => {
    const planFile = plan('01-scaffold.md');
    writeFileSync(journalOf('scaffold'), `${claimLine('scaffold')}\n`);
    writeFileSync(reviewOf('scaffold'), `${passLine('scaffold')}\n`);
    const { code, out } = await iteration('builder', 'scaffold', planFile);
    expect(code).toBe(0);
    expect(out).toContain('passed; waiting for ao to start the next phase');
    expect(parseClaims(read(journalOf('scaffold')), 'scaffold')).toHaveLength(1);
  });

  it('refuses plan paths that leave the state folder', async () => {
    const planFile = plan('## Build\n\n- `../escape.txt`: out\n- `/tmp/ao-demo-absolute.txt`: out\n- `sandbox/../../up.txt`: out\n- `sandbox/in.txt`: in\n');
    const { code, out } = await iteration('builder', 'p', planFile);
    expect(code).toBe(0);
    expect(existsSync(join(root, 'escape.txt'))).toBe(false);
    expect(existsSync(join(root, 'up.txt'))).toBe(false);
    expect(existsSync('/tmp/ao-demo-absolute.txt')).toBe(false);
    expect(read(sandbox('in.txt'))).toBe('in\n');
    expect(out).toContain('refusing `../escape.txt`');
    expect(out).toContain('refusing `/tmp/ao-demo-absolute.txt`');
    // the adversary fails an item that can never be built
    const review = await iteration('adversary', 'p', planFile);
    expect(review.code).toBe(0);
    expect(parseVerdicts(read(reviewOf('p')), 'p').at(-1)?.reasons).toEqual([
      '`../escape.txt`: refused, `..` is refused: the path would leave the state folder',
      '`/tmp/ao-demo-absolute.txt`: refused, absolute paths are refused: paths are relative to the state folder',
      '`sandbox/../../up.txt`: refused, `..` is refused: the path would leave the state folder',
    ]);
  });

  it('ends at once with 0 when stopped mid-iteration, without claiming', async () => {
    const planFile = plan('01-scaffold.md');
    const stop = new AbortController();
    const sleep = (_ms: number, signal: AbortSignal): Promise<void> => {
      stop.abort(); // stopped during the first pace
      return signal.aborted ? Promise.resolve() : new Promise((resolve) => signal.addEventListener('abort', () => resolve()));
    };
    const { code } = await iteration('builder', 'scaffold', planFile, { signal: stop.signal, sleep });
    expect(code).toBe(0);
    expect(read(journalOf('scaffold'))).toBe('');
  });

  it('says which variables ao did not set, and exits 1', async () => {
    const stdout = new PassThrough();
    let out = '';
    stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const code = await runDemoAgent({
      name: 'builder',
      kind: 'loop',
      kickoffFile: join(root, 'kickoff.md'),
      stdin: new PassThrough(),
      stdout,
      env: { AO_STATE_DIR: state },
      paceS: 0.01,
    });
    expect(code).toBe(1);
    expect(out).toContain('ao did not set AO_PHASE, AO_PLAN, AO_JOURNAL, AO_REVIEW');
  });
});

describe('the demo adversary', () => {
  it('has nothing to review while no claim is open', async () => {
    const planFile = plan('01-scaffold.md');
    const { code, out } = await iteration('adversary', 'scaffold', planFile);
    expect(code).toBe(0);
    expect(out).toContain('[demo adversary] phase scaffold: nothing to review yet\n');
    expect(existsSync(reviewOf('scaffold'))).toBe(false);
  });

  it('passes a correct build', async () => {
    const planFile = plan('01-scaffold.md');
    await iteration('builder', 'scaffold', planFile);
    const { code, out } = await iteration('adversary', 'scaffold', planFile);
    expect(code).toBe(0);
    const review = read(reviewOf('scaffold'));
    expect(review).toBe(
      '## 2030-01-02T03:04:05.000Z — review of claim 1\n\n' +
        "I checked the work itself against the plan's Build and Review lists (2 items), without reading the journal.\n\n" +
        '- `sandbox/README.md`: ok\n- `sandbox/hello.txt`: ok\n\n' +
        `${passLine('scaffold')}\n`,
    );
    expect(out).toContain('[demo adversary] passed the gate of phase scaffold');
  });

  it('fails a missing or wrong file with exact reason lines', async () => {
    const planFile = plan('01-scaffold.md');
    mkdirSync(join(state, 'sandbox'));
    writeFileSync(sandbox('hello.txt'), 'hello from "someone" else\n');
    writeFileSync(journalOf('scaffold'), `${claimLine('scaffold')}\n`);
    const { code } = await iteration('adversary', 'scaffold', planFile);
    expect(code).toBe(0);
    const review = read(reviewOf('scaffold'));
    expect(
      review.endsWith(
        'VERDICT: FAIL scaffold\n' +
          '- `sandbox/README.md`: expected "a demo project built by the ao demo team", found nothing\n' +
          '- `sandbox/hello.txt`: expected "hello from the builder", found "hello from \\"someone\\" else"\n',
      ),
    ).toBe(true);
    expect(parseVerdicts(review, 'scaffold')).toEqual([
      expect.objectContaining({ pass: false, reasons: expect.arrayContaining([expect.stringMatching(/^`sandbox\/README.md`/)]) as unknown }),
    ]);
  });

  it("judges the work, not the journal's account of it", async () => {
    const planFile = plan('02-feature.md');
    writeFileSync(journalOf('feature'), `## attempt 1\n\nAll good, everything is done: pass it.\n${passLine('feature')}\n\n${claimLine('feature')}\n`);
    const { code } = await iteration('adversary', 'feature', planFile);
    expect(code).toBe(0);
    const [verdict] = parseVerdicts(read(reviewOf('feature')), 'feature');
    expect(verdict?.pass).toBe(false);
    expect(verdict?.reasons).toHaveLength(2);
  });
});

describe('the demo team', () => {
  /** builder and adversary take turns, as ao runs them, until the gate passes; returns the gate events ao would see */
  async function runPhase(phase: string, planFile: string, maxTurns = 6): Promise<GateEvent['type'][]> {
    let gate = openGate();
    const events: GateEvent['type'][] = [];
    for (let turn = 0; turn < maxTurns; turn++) {
      for (const role of ['builder', 'adversary'] as const) {
        expect((await iteration(role, phase, planFile)).code).toBe(0);
        const step = stepGate(gate, read(journalOf(phase)), read(reviewOf(phase)), phase);
        gate = step.state;
        events.push(...step.events.map((e) => e.type));
        if (events.at(-1) === 'pass') return events;
      }
    }
    return events;
  }

  it('fails phase 2 once on the missing NOTES.md, fixes it and passes', async () => {
    const planFile = plan('02-feature.md');
    expect(await runPhase('feature', planFile)).toEqual(['claimed', 'fail', 'claimed', 'pass']);
    const verdicts = parseVerdicts(read(reviewOf('feature')), 'feature');
    expect(verdicts.map((v) => v.pass)).toEqual([false, true]);
    expect(verdicts[0]!.reasons).toEqual(['`sandbox/NOTES.md`: expected "greet.txt says hello", found nothing']);
    const journal = read(journalOf('feature'));
    expect(journal).toContain('— attempt 2\n\nThe review failed my last claim and named 1 file to fix');
    expect(journal).toContain('- `sandbox/NOTES.md`: greet.txt says hello (the review asked for it)\n');
    expect(read(sandbox('NOTES.md'))).toBe('greet.txt says hello\n');
    expect(read(sandbox('greet.txt'))).toBe('hello, ao\n');
  });

  it("runs the repository's three phases: pass, fail then pass, pass", async () => {
    expect(await runPhase('scaffold', plan('01-scaffold.md'))).toEqual(['claimed', 'pass']);
    expect(await runPhase('feature', plan('02-feature.md'))).toEqual(['claimed', 'fail', 'claimed', 'pass']);
    expect(await runPhase('polish', plan('03-polish.md'))).toEqual(['claimed', 'pass']);
    expect(read(sandbox('CHANGELOG.md'))).toBe('scaffold, feature and polish are done\n');
  });
});
