import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { releaseStdin, type TerminalIn } from '../../../src/cli/commands/dash.js';

/** A terminal's input as Ink leaves it at unmount: its listener still on, raw mode on, both given up a few macrotasks later. */
class Terminal extends EventEmitter {
  readonly isTTY = true;
  raw = true;
  readonly calls: string[] = [];
  setRawMode(on: boolean): this {
    this.raw = on;
    this.calls.push(`raw ${on}`);
    return this;
  }
  resume(): this {
    this.calls.push('resume');
    return this;
  }
  pause(): this {
    this.calls.push('pause');
    return this;
  }
  /** Ink's effect cleanup, run `turns` macrotasks from now as React's scheduler runs it. */
  letGoAfter(turns: number): void {
    const step = (left: number): void => {
      if (left > 0) return void setImmediate(() => step(left - 1));
      this.setRawMode(false);
      this.removeAllListeners('readable');
      this.calls.push('ink let go');
    };
    step(turns);
  }
}

const asTerminal = (t: Terminal): TerminalIn => t as unknown as TerminalIn;

describe('releaseStdin', () => {
  it("waits for Ink's own cleanup before it stops node's read: nothing of Ink's runs after the terminal is lent", async () => {
    const terminal = new Terminal();
    terminal.on('readable', () => {});
    terminal.letGoAfter(5);
    await releaseStdin(asTerminal(terminal));
    expect(terminal.calls).toEqual(['raw false', 'ink let go', 'raw false', 'resume', 'pause']);
    expect(terminal.listenerCount('readable')).toBe(0);
  });

  it('takes the listener away itself when Ink never lets go, within its bound', async () => {
    const terminal = new Terminal();
    terminal.on('readable', () => {});
    const started = Date.now();
    await releaseStdin(asTerminal(terminal), 50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    expect(terminal.listenerCount('readable')).toBe(0);
    expect(terminal.calls).toEqual(['raw false', 'resume', 'pause']);
  });

  it('does not wait when nothing listens', async () => {
    const terminal = new Terminal();
    const started = Date.now();
    await releaseStdin(asTerminal(terminal), 5_000);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(terminal.calls).toEqual(['raw false', 'resume', 'pause']);
  });
});
