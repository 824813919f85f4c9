/**
 * The record on real tmux: the demo team runs its three phases, then its
 * ledger is edited in each way a person could, and `ao verify` must find each,
 * naming the place; the watchdog, started on a ledger whose tail was edited,
 * records and notifies `ledger-broken`.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventsOf, team, waitFor } from '../helpers/ao.js';
import { startWebhook } from '../helpers/webhook.js';

const { dir, ao } = team('ledger', {}, { env: { AO_DEMO_PACE_S: '0.1' }, teardown: 'afterAll' });
const web = await startWebhook();
afterAll(() => web.close());

const state = join(dir, 'state');
const eventsFile = join(state, 'events.jsonl');
const headFile = join(state, 'ledger-head.json');
const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

interface Chained {
  seq: number;
  event: string;
  details?: Record<string, unknown>;
}

/** Lines with seq and prev made again from scratch, as someone who can write the state folder could. */
function rechain(kept: string[]): { lines: string[]; head: string } {
  let prev = '0'.repeat(64);
  const out = kept.map((line, i) => {
    const { seq: _seq, prev: _prev, ...rest } = JSON.parse(line) as Record<string, unknown>;
    const text = JSON.stringify({ seq: i + 1, prev, ...rest });
    prev = sha(text);
    return text;
  });
  return { lines: out, head: prev };
}

interface Verdict {
  intact: boolean;
  events: number;
  head: { seq: number; hash: string } | null;
  break?: { kind: string; file: string; line: number; seq: number | null; message: string };
}

async function verify(...args: string[]): Promise<{ code: number; result: Verdict; text: string }> {
  const json = await ao('verify', '--json', ...args);
  const text = await ao('verify', ...args);
  expect(text.code).toBe(json.code);
  return { code: json.code, result: JSON.parse(json.stdout) as Verdict, text: text.stdout };
}

describe('the ledger of a real team, and ao verify', () => {
  let original = '';
  let originalHead = '';
  let lines: string[] = [];
  let witness = { seq: 0, hash: '' };

  /** Puts the ledger back as the team left it. */
  const restore = (): void => {
    writeFileSync(eventsFile, original);
    writeFileSync(headFile, originalHead);
  };
  const rewrite = (edited: string[], end = '\n'): void => writeFileSync(eventsFile, edited.join('\n') + end);

  it('the demo team runs to complete; its ledger is intact and ao status --json carries its head', { timeout: 120_000 }, async () => {
    expect((await ao('init')).code).toBe(0);
    const up = await ao('up');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    await waitFor(async () => (JSON.parse((await ao('status', '--json')).stdout) as { complete: boolean }).complete, 90_000, 250);
    expect((await ao('down')).code).toBe(0);
    const status = JSON.parse((await ao('status', '--json')).stdout) as { ledger: { seq: number; hash: string } };
    original = readFileSync(eventsFile, 'utf8');
    originalHead = readFileSync(headFile, 'utf8');
    lines = original.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(20);
    witness = status.ledger;
    expect(witness).toEqual({ seq: lines.length, hash: sha(lines.at(-1)!) });
    const { code, result, text } = await verify();
    expect(code).toBe(0);
    expect(result).toMatchObject({ intact: true, events: lines.length, head: witness });
    expect(text).toContain(`ledger intact: seq 1 to ${witness.seq}, ${witness.seq} events; head ${witness.seq}:${witness.hash}`);
    expect((await verify('--head', `${witness.seq}:${witness.hash}`)).code).toBe(0);
    // each phase advance (and the gate's complete) names the seqs of the claim and pass verdict it rests on
    const bySeq = new Map(lines.map((l) => JSON.parse(l) as Chained).map((e) => [e.seq, e]));
    const moves = [...bySeq.values()].filter((e) => e.event === 'phase-advance' || (e.event === 'complete' && e.details?.by === undefined));
    expect(moves.map((e) => e.details?.from)).toEqual(['scaffold', 'feature', 'polish']);
    for (const move of moves) {
      const claim = bySeq.get(move.details!.claim_seq as number)!;
      const verdict = bySeq.get(move.details!.verdict_seq as number)!;
      expect(claim).toMatchObject({ event: 'gate-claimed', details: { phase: move.details!.from } });
      expect(verdict).toMatchObject({ event: 'gate-pass', details: { phase: move.details!.from } });
      expect(claim.details!.journal_sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(verdict.details!.review_sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(claim.seq).toBeLessThan(verdict.seq);
      expect(verdict.seq).toBeLessThan(move.seq);
    }
  });

  it('finds one line edited, naming its file, line and seq', async () => {
    const edited = [...lines];
    edited[9] = edited[9]!.replace('"reason":"', '"reason":"(edited) ');
    rewrite(edited);
    const { code, result, text } = await verify();
    expect(code).toBe(1);
    expect(result.break).toMatchObject({ kind: 'edited', file: 'events.jsonl', line: 10, seq: 10 });
    expect(text).toMatch(/^ledger broken at events\.jsonl:10 \(seq 10\): edited: /);
    restore();
  });

  it('finds one line deleted', async () => {
    rewrite([...lines.slice(0, 14), ...lines.slice(15)]);
    const { code, result } = await verify();
    expect(code).toBe(1);
    expect(result.break).toMatchObject({ kind: 'deleted', line: 15, seq: 16 });
    expect(result.break!.message).toContain('seq 15 is missing');
    restore();
  });

  it('finds one line inserted', async () => {
    const forged = JSON.stringify({ time: new Date().toISOString(), agent: 'phase', event: 'gate-pass', reason: 'forged' });
    rewrite([...lines.slice(0, 5), forged, ...lines.slice(5)]);
    const { code, result } = await verify();
    expect(code).toBe(1);
    expect(result.break).toMatchObject({ kind: 'inserted', line: 6, seq: null });
    restore();
  });

  it('finds two lines swapped', async () => {
    const swapped = [...lines];
    [swapped[7], swapped[8]] = [swapped[8]!, swapped[7]!];
    rewrite(swapped);
    const { code, result } = await verify();
    expect(code).toBe(1);
    expect(result.break).toMatchObject({ kind: 'reordered', line: 8, seq: 9 });
    restore();
  });

  it('finds the last line torn', async () => {
    rewrite([...lines.slice(0, -1), lines.at(-1)!.slice(0, 30)], '');
    const { code, result } = await verify();
    expect(code).toBe(1);
    expect(result.break).toMatchObject({ kind: 'torn', line: lines.length, seq: null });
    restore();
  });

  it('a ledger re-chained from scratch after a deletion: its advances no longer rest on their claims and verdicts', async () => {
    // the first line, before the first claim, so the seqs the advances name as their grounds shift
    expect(lines.findIndex((l) => l.includes('"event":"gate-claimed"'))).toBeGreaterThan(0);
    const { lines: rechained, head } = rechain(lines.slice(1));
    rewrite(rechained);
    writeFileSync(headFile, JSON.stringify({ seq: rechained.length, hash: head, size: 0, ino: 0 }));
    // the chain alone holds; what the events say does not: the advances now name the wrong lines as their grounds
    const { code, result } = await verify();
    expect(code).toBe(1);
    expect(result.break).toMatchObject({ kind: 'ungrounded' });
    expect(JSON.parse(rechained[result.break!.line - 1]!)).toMatchObject({ event: 'phase-advance' });
    restore();
  });

  it('a ledger re-chained from scratch after a deletion, its advances fixed up to match, passes alone and fails with --head from an earlier status', async () => {
    // the most careful rewrite: a line deleted, every seq the advances name moved with it, the chain made again
    const dropped = 2;
    expect(lines[dropped]).not.toContain('"event":"gate-');
    const kept = [...lines.slice(0, dropped), ...lines.slice(dropped + 1)].map((line) => {
      const e = JSON.parse(line) as Chained & Record<string, unknown>;
      // the seqs past the dropped line's (dropped + 1) move down by one
      if (typeof e.details?.claim_seq === 'number' && e.details.claim_seq > dropped + 1) e.details.claim_seq -= 1;
      if (typeof e.details?.verdict_seq === 'number' && e.details.verdict_seq > dropped + 1) e.details.verdict_seq -= 1;
      return JSON.stringify(e);
    });
    const { lines: rechained, head } = rechain(kept);
    rewrite(rechained);
    writeFileSync(headFile, JSON.stringify({ seq: rechained.length, hash: head, size: 0, ino: 0 }));
    expect((await verify()).code).toBe(0);
    const { code, result, text } = await verify('--head', `${witness.seq}:${witness.hash}`);
    expect(code).toBe(1);
    expect(result.break).toMatchObject({ kind: 'deleted' });
    expect(text).toContain(`the head given is seq ${witness.seq}`);
    // a head from earlier in the run, past the deletion: the entry at its seq is not the one it names
    const early = { seq: 10, hash: sha(lines[9]!) };
    const rewritten = await verify('--head', `${early.seq}:${early.hash}`);
    expect(rewritten.result.break).toMatchObject({ kind: 'rewritten', line: 10, seq: 10 });
    restore();
    expect((await verify('--head', `${early.seq}:${early.hash}`)).code).toBe(0);
  });

  it('--head that is not SEQ:HASH is a usage error (exit 2)', async () => {
    const bad = await ao('verify', '--head', '12:nothex');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('expected SEQ:HASH');
  });

  it('the watchdog, started on a ledger whose tail was edited, records and notifies ledger-broken with the head', { timeout: 60_000 }, async () => {
    appendFileSync(join(dir, 'agents.toml'), `\n[notify]\nwebhook = "${web.url}"\n`);
    const edited = [...lines];
    edited[edited.length - 1] = edited.at(-1)!.replace('"reason":"', '"reason":"(edited) ');
    rewrite(edited);
    const up = await ao('up');
    expect(up.code, up.stdout + up.stderr).toBe(0);
    const post = await waitFor(async () => web.posts.find((p) => p.body.includes('"event":"ledger-broken"')), 30_000);
    const note = JSON.parse(post.body) as { event: string; reason: string; ledger: { seq: number; hash: string }; detail: Record<string, unknown> };
    expect(note.detail).toMatchObject({ kind: 'edited', file: 'events.jsonl', line: lines.length, seq: lines.length });
    expect(note.reason).toContain(`events.jsonl:${lines.length} (seq ${lines.length})`);
    // the notification carries a head the ledger holds
    expect(note.ledger.seq).toBeGreaterThan(lines.length);
    const written = readFileSync(eventsFile, 'utf8').split('\n').filter(Boolean);
    expect(sha(written[note.ledger.seq - 1]!)).toBe(note.ledger.hash);
    const events = await eventsOf(ao);
    expect(events.find((e) => e.event === 'ledger-broken')).toMatchObject({ agent: 'watchdog', details: { kind: 'edited' } });
    expect((await ao('down')).code).toBe(0);
    // ao verify still finds the edit under the lines appended since
    expect((await verify()).result.break).toMatchObject({ kind: 'edited', line: lines.length, seq: lines.length });
  });
});
