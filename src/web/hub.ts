/**
 * The live feed of `ao web`: one watcher of the state folder for all open
 * pages. A change (a new event line, agents.json, phase.json, an inbox, a
 * journal) is read once and sent to every client as Server-Sent Events: each
 * new event as `event` (its id the ledger's seq, so a reconnecting client
 * resumes with Last-Event-ID), the team as `status` when it changed, and the
 * names of changed files as `change`. A slow poll stands in for a lost watch.
 */
import { statSync, watch, type FSWatcher } from 'node:fs';
import { basename } from 'node:path';
import { layout } from '../state/layout.js';
import { parseEventLine, type LoggedEvent } from '../state/events.js';
import { fileStamp } from '../state/files.js';
import { readNewLines } from '../state/tail.js';
import { jsonText, safeDeep } from '../text/safe.js';
import type { ProjectHolder } from './data.js';
import { statusObject } from './data.js';
import { teamView } from './view-model.js';

export interface SseMessage {
  event: 'event' | 'status' | 'change';
  data: string;
  id?: string;
}

export interface HubClient {
  send: (message: SseMessage) => void;
}

export interface HubOptions {
  /** how soon a burst of changes is read, ms */
  debounceMs?: number;
  /** how often the team is looked at without a change seen (a lost watch, a pane that died unseen), ms */
  pollMs?: number;
}

export class Hub {
  private readonly clients = new Set<HubClient>();
  private watchers: FSWatcher[] = [];
  private offset = 0;
  private eventsStamp: string | null = null;
  private lastStatus = '';
  private timer: NodeJS.Timeout | null = null;
  private poll: NodeJS.Timeout | null = null;
  private changed = new Set<string>();
  private running: Promise<void> | null = null;
  private again = false;
  /** the last status message sent, for a client that just connected */
  status: SseMessage | null = null;
  /** the team changed while no client listened: `status` is old */
  stale = false;

  constructor(
    private readonly holder: ProjectHolder,
    private readonly options: HubOptions = {},
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** Starts watching from the end of events.jsonl (older events come from /api/events). */
  start(): void {
    const { stateDir } = this.holder.current().project;
    this.offset = fileSize(layout.events(stateDir));
    this.eventsStamp = fileStamp(layout.events(stateDir));
    this.watchFolders(stateDir);
    this.poll = setInterval(() => {
      if (this.clients.size > 0) this.kick('');
    }, this.options.pollMs ?? 10_000);
    this.poll.unref();
  }

  private watchFolders(stateDir: string): void {
    for (const dir of [stateDir, layout.inboxes(stateDir)]) {
      try {
        const w = watch(dir, { persistent: false }, (_type, name) => this.kick(name ? String(name) : ''));
        w.on('error', () => w.close());
        this.watchers.push(w);
      } catch {
        // a folder not made yet (no inbox yet): the poll covers it until the next start
      }
    }
  }

  stop(): void {
    for (const w of this.watchers) w.close();
    this.watchers = [];
    if (this.timer) clearTimeout(this.timer);
    if (this.poll) clearInterval(this.poll);
    this.timer = this.poll = null;
  }

  add(client: HubClient): () => void {
    this.clients.add(client);
    return () => this.clients.delete(client);
  }

  /** A file changed (its name; '' for a poll): read the changes soon, once for a burst. */
  kick(name: string): void {
    // the logs and the locks and temps of atomic writes change all the time and say nothing the page shows
    if (name && (name.endsWith('.lock') || name.includes('.ao-tmp-') || name.endsWith('.pid') || name === 'ledger-head.json')) return;
    if (name) this.changed.add(basename(name));
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.refresh();
    }, this.options.debounceMs ?? 50);
  }

  /** Reads what changed and sends it; one at a time, and once more when a change came during a read. */
  async refresh(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.readOnce();
        } while (this.again);
      } catch {
        // a state file that cannot be read this time: the next change or poll tries again
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  private async readOnce(): Promise<void> {
    const { project } = this.holder.current();
    const file = layout.events(project.stateDir);
    const stamp = fileStamp(file);
    if (stamp !== this.eventsStamp) {
      this.eventsStamp = stamp;
      // only whole lines: a line still being written is read with the next change
      const read = readNewLines(file, this.offset);
      this.offset = read.offset;
      for (const line of read.lines) {
        const event = parseEventLine(line);
        if (event) this.broadcast(eventMessage(event));
      }
    }
    const changed = [...this.changed];
    this.changed.clear();
    if (changed.length > 0) this.broadcast({ event: 'change', data: jsonText(safeDeep(changed)) });
    // the events are followed always (a few bytes read); the team, the costly part, only while someone listens
    if (this.clients.size === 0) {
      this.stale = true;
      return;
    }
    this.stale = false;
    const view = await this.holder.view();
    const data = jsonText({ status: statusObject(project, view), view: teamView(project, view) });
    if (data !== this.lastStatus) {
      this.lastStatus = data;
      this.status = { event: 'status', data };
      this.broadcast(this.status);
    }
  }

  private broadcast(message: SseMessage): void {
    for (const client of this.clients) {
      try {
        client.send(message);
      } catch {
        this.clients.delete(client);
      }
    }
  }
}

export const eventMessage = (e: LoggedEvent): SseMessage => ({
  event: 'event',
  data: jsonText(safeDeep(e)),
  ...(e.seq !== undefined ? { id: String(e.seq) } : {}),
});

function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}
