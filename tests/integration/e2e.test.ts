import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { team, waitFor } from '../helpers/ao.js';

// an empty folder for `ao init`
const { dir, ao } = team('e2e', {}, { env: { AO_DEMO_PACE_S: '0.1' }, teardown: 'afterAll' });

describe('the demo team, end to end on a real tmux server', () => {
  it('a fresh `ao init` project runs all three phases to complete, with a fail, a fix and a pass', async () => {
    expect((await ao('init')).code).toBe(0);
    expect((await ao('check')).code).toBe(0);
    const started = Date.now();
    const up = await ao('up');
    expect(up.code, up.stdout + up.stderr).toBe(0);

    const done = await waitFor(
      async () => {
        const s = JSON.parse((await ao('status', '--json')).stdout) as {
          complete: boolean;
          phase: { status: string };
          agents: Array<{ name: string; state: string }>;
        };
        return s.complete ? s : undefined;
      },
      60_000,
      250,
    );
    const seconds = (Date.now() - started) / 1000;
    expect(seconds).toBeLessThan(60);
    expect(done.phase.status).toBe('complete');
    const states = Object.fromEntries(done.agents.map((a) => [a.name, a.state]));
    expect(states).toMatchObject({ orchestrator: 'running', watchdog: 'running' });
    await waitFor(async () => {
      const s = JSON.parse((await ao('status', '--json')).stdout) as { agents: Array<{ name: string; state: string }> };
      return s.agents.filter((a) => a.name === 'builder' || a.name === 'adversary').every((a) => a.state === 'stopped') ? true : undefined;
    });
    const status = await ao('status');
    expect(status.code).toBe(0);
    expect(status.stdout.split('\n')[0]).toBe('phase: polish [3/3] plan=03-polish.md (complete)');

    // the events tell the story, in order
    const events = (await ao('events', '--json', '-n', '1000')).stdout
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { agent: string; event: string; reason: string })
      .filter((e) => e.agent === 'phase')
      .map((e) => `${e.event} ${e.reason.split(':')[0]}`);
    expect(events).toEqual([
      'gate-claimed scaffold',
      'gate-pass scaffold',
      'phase-advance scaffold -> feature',
      'gate-claimed feature',
      'gate-fail feature',
      'gate-claimed feature',
      'gate-pass feature',
      'phase-advance feature -> polish',
      'gate-claimed polish',
      'gate-pass polish',
      'complete the last phase (polish) passed',
    ]);

    // ao phase tells the same story from phase.json
    const phase = JSON.parse((await ao('phase', '--json')).stdout) as { complete: boolean; history: Array<{ phase: string; event: string }> };
    expect(phase.complete).toBe(true);
    expect(phase.history.filter((h) => h.phase === 'feature').map((h) => h.event)).toEqual(['enter', 'claimed', 'fail', 'claimed', 'pass']);
    const unknown = await ao('phase', 'set', 'nosuch');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('the phases are: scaffold, feature, polish');
    const back = await ao('phase', 'set', 'feature');
    expect(back.stdout).toContain('`ao up` starts them again');

    // the work itself, and the fail's reasons delivered to the builder
    const sandbox = join(dir, 'state', 'sandbox');
    for (const file of ['README.md', 'hello.txt', 'greet.txt', 'NOTES.md', 'CHANGELOG.md']) expect(existsSync(join(sandbox, file)), file).toBe(true);
    const inbox = JSON.parse((await ao('inbox', 'builder', '--json')).stdout) as Array<{ from: string; text: string }>;
    expect(inbox.some((m) => m.from === 'ao' && m.text.includes('sandbox/NOTES.md'))).toBe(true);
    expect(readFileSync(join(dir, 'state', 'REVIEW-feature.md'), 'utf8')).toMatch(/^VERDICT: FAIL feature$[\s\S]*^VERDICT: PASS feature$/m);
    // the per-phase override gave the builder the strong model in phase 2 only: the demo agent prints its model at each start
    const starts = readFileSync(join(dir, 'state', 'logs', 'builder.log'), 'utf8').match(/model=demo-\w+/g) ?? [];
    const models = starts.filter((m, i) => m !== starts[i - 1]);
    expect(models).toEqual(['model=demo-standard', 'model=demo-strong', 'model=demo-standard']);
  });
});
