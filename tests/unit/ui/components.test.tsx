/** Components on their own, from props: what each shows and that nothing overflows its box. */
import { render } from 'ink-testing-library';
import { cleanup } from 'ink-testing-library';
import stripAnsi from 'strip-ansi';
import { afterEach, describe, expect, it } from 'vitest';
import { buildStatus } from '../../../src/supervisor/status.js';
import { AgentTable } from '../../../src/ui/components/AgentTable.js';
import { ConfigBanner } from '../../../src/ui/components/ConfigBanner.js';
import { Footer } from '../../../src/ui/components/Footer.js';
import { Header } from '../../../src/ui/components/Header.js';
import { Panel } from '../../../src/ui/components/Panel.js';
import { StatusLine } from '../../../src/ui/components/StatusLine.js';
import { colorEnabled, stateColor, toneColor } from '../../../src/ui/theme.js';
import { AGENT_STATES } from '../../../src/supervisor/status.js';
import { completePhase, everyState, everyStateObserved, NOW, observed, project, agent } from './fixtures.js';

afterEach(() => cleanup());
const frameOf = (node: React.ReactElement): string => stripAnsi(render(node).lastFrame() ?? '');

describe('Header', () => {
  it('project, phase, plan, status and how long the phase has run', () => {
    const report = buildStatus(everyState, everyStateObserved());
    expect(frameOf(<Header report={report} phaseStartedAt={NOW - 2 * 86_400_000} now={NOW} width={100} />)).toBe(
      'demo-team · phase: scaffold [1/2] plan=01-scaffold.md (in progress) · in phase 2d0h',
    );
  });

  it('a complete project', () => {
    const report = buildStatus(project([agent('builder')]), observed({ phase: completePhase() }));
    expect(frameOf(<Header report={report} phaseStartedAt={null} now={NOW} width={80} />)).toBe(
      'demo-team · phase: feature [2/2] plan=02-feature.md (complete)',
    );
  });
});

describe('AgentTable', () => {
  it('one row per agent in every state, the selected one marked', () => {
    const report = buildStatus(everyState, everyStateObserved());
    const frame = frameOf(<AgentTable agents={report.agents} startedAt={{}} now={NOW} selected="corpse" height={report.agents.length + 1} width={100} />);
    const lines = frame.split('\n');
    expect(lines).toHaveLength(report.agents.length + 1);
    expect(lines.filter((l) => l.startsWith('> '))).toEqual([expect.stringMatching(/^> corpse .*DEAD \(exit 3\)/)]);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
  });

  it('more agents than rows: a window around the selection, arrows at the cut edges', () => {
    const report = buildStatus(everyState, everyStateObserved());
    const lines = frameOf(<AgentTable agents={report.agents} startedAt={{}} now={NOW} selected="idle" height={4} width={80} />).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines.slice(1).map((l) => l.slice(0, 10).trim())).toEqual(['↑ staller', '> idle', '↓ corpse']);
  });
});

describe('Panel', () => {
  it('keeps the newest lines that fit and truncates long ones', () => {
    const lines = Array.from({ length: 10 }, (_, i) => `line ${i} ${'z'.repeat(50)}`);
    const frame = frameOf(<Panel title="screen: builder" lines={lines} height={4} width={30} />).split('\n');
    expect(frame).toHaveLength(4);
    expect(frame[0]).toBe('screen: builder');
    expect(frame[1]).toMatch(/^line 7 z+…$/);
    expect(frame[3]!.startsWith('line 9')).toBe(true);
    for (const l of frame) expect([...l].length).toBeLessThanOrEqual(30);
  });

  it('shows the placeholder when empty', () => {
    expect(frameOf(<Panel title="review" lines={[]} height={3} width={40} placeholder="nothing written yet" />)).toContain('nothing written yet');
  });
});

describe('ConfigBanner, StatusLine, Footer', () => {
  it('the config error, clipped to its rows', () => {
    const frame = frameOf(<ConfigBanner error={'a.toml:1:2: bad\nline two\nline three'} height={2} width={80} />).split('\n');
    expect(frame).toEqual(['config error: agents.toml does not validate; the last good config keeps running', 'a.toml:1:2: bad']);
  });

  it('the message being typed shows its end when it is long', () => {
    const frame = frameOf(<StatusLine mode="message" agent="builder" draft={`${'a'.repeat(200)}THE END`} confirm="" notice={null} error={null} />);
    expect(frame).toContain('THE END');
  });

  it('the footer fits 80 columns', () => {
    for (const toggle of ['stop', 'start'] as const) expect(frameOf(<Footer mode="normal" toggle={toggle} width={80} />).length).toBeLessThanOrEqual(80);
    // opened from the fleet list, esc is one key more and still fits, q quit included
    for (const toggle of ['stop', 'start'] as const)
      expect(frameOf(<Footer mode="normal" toggle={toggle} width={80} back />)).toMatch(/^.{0,70}esc fleet  q quit$/);
  });
});

describe('colour', () => {
  it('NO_COLOR (set and not empty) turns colour off', () => {
    expect(colorEnabled({})).toBe(true);
    expect(colorEnabled({ NO_COLOR: '1' })).toBe(false);
    expect(colorEnabled({ NO_COLOR: '' })).toBe(true);
  });

  it('states by colour: running green, waiting and backoff yellow, paused cyan, stalled, dead and failed red, stopped plain (dim)', () => {
    const on = { color: true };
    expect(Object.fromEntries(AGENT_STATES.map((s) => [s, stateColor(s, on)]))).toEqual({
      running: 'green',
      waiting: 'yellow',
      backoff: 'yellow',
      paused: 'cyan',
      stalled: 'red',
      dead: 'red',
      failed: 'red',
      stopped: undefined,
    });
    for (const s of AGENT_STATES) expect(stateColor(s, { color: false })).toBeUndefined();
    expect(toneColor('error', { color: false })).toBeUndefined();
  });
});
