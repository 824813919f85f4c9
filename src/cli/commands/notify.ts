import { UsageError } from '../../errors.js';
import { readProjectView } from '../../readmodel/view.js';
import { appendEvent, type EventRecord } from '../../state/events.js';
import { ledgerHead } from '../../state/ledger.js';
import { attemptEvent, deliver, notification } from '../../supervisor/notify.js';
import { openProject } from '../context.js';
import type { GlobalOptions, Io } from '../io.js';
import { jsonText } from '../../text/safe.js';

export interface NotifyOptions extends GlobalOptions {
  action: string;
  json?: boolean;
}

/** `ao notify test`: sends one notification to every target of [notify] and says how each went. */
export async function notify(options: NotifyOptions, io: Io): Promise<number> {
  if (options.action !== 'test') throw new UsageError(`unknown action "${options.action}" (ao notify test sends one notification)`);
  const { project } = openProject(options, io);
  const spec = project.notify;
  if (!spec) throw new UsageError(`no [notify] table in ${project.configFile}: add one with webhook = "https://..." or command = ["prog", "arg"]`);
  const phase = readProjectView(project, null).report.phase.id;
  const test: EventRecord = { time: new Date().toISOString(), agent: 'notify', event: 'notify-test', reason: 'a test notification (ao notify test)' };
  const record = (event: EventRecord): void => {
    try {
      appendEvent(project.stateDir, event);
    } catch (error) {
      io.err(`warning: events.jsonl: ${(error as Error).message}\n`);
    }
  };
  record(test);
  const note = notification(project.name, phase, test, ledgerHead(project.stateDir));
  const attempts = await deliver(spec, note);
  for (const attempt of attempts) record({ time: new Date().toISOString(), ...attemptEvent(note, attempt) });
  if (options.json) io.out(`${jsonText({ ok: attempts.every((a) => a.ok), notification: note, attempts })}\n`);
  else for (const a of attempts) io.out(`${a.target} ${a.label}: ${a.ok ? 'sent' : 'failed'} (${a.outcome}, ${a.ms} ms)\n`);
  return attempts.every((a) => a.ok) ? 0 : 1;
}
