import { existsSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { UsageError } from '../../errors.js';
import { aoEntry, openProject } from '../context.js';
import type { GlobalOptions, Io } from '../io.js';
import { crontabLine, environmentFile, unitName, unitPath, unitRefusal, unitText, type UnitInput } from '../service-unit.js';
import { currentUser, systemdState } from '../systemd.js';
import { spawnRunner } from '../../process/run.js';
import { writeTextAtomic } from '../../state/files.js';
import { jsonText } from '../../text/safe.js';

export const SERVICE_ACTIONS = ['install', 'uninstall', 'status'] as const;

export interface ServiceOptions extends GlobalOptions {
  action: string;
  print?: boolean;
  json?: boolean;
}

/** `ao service install [--print] | uninstall | status`: the systemd user unit that brings the team back after a reboot. */
export async function service(options: ServiceOptions, io: Io): Promise<number> {
  if (!(SERVICE_ACTIONS as readonly string[]).includes(options.action))
    throw new UsageError(`ao service: unknown action "${options.action}" (one of: ${SERVICE_ACTIONS.join(', ')})`);
  if (options.print && options.action !== 'install') throw new UsageError('ao service: --print goes with install');
  const { project } = openProject(options, io);
  const home = io.env.HOME || homedir();
  const input: UnitInput = { project, node: process.execPath, entry: aoEntry(), home, path: io.env.PATH ?? '', socket: io.env.AO_TMUX_SOCKET || null };
  const refusal = options.action === 'install' ? unitRefusal(input) : null;
  if (refusal) throw new UsageError(`ao service install: ${refusal}`);
  const unit = unitName(project);
  const file = unitPath(home, unit);
  const text = unitText(input);
  if (options.action === 'install' && options.print) {
    io.out(text);
    return 0;
  }
  const user = currentUser(io.env);
  const systemd = await systemdState(unit, user);
  if (options.action === 'install') {
    const before = existsSync(file) ? readFileSync(file, 'utf8') : null;
    if (before !== text) await writeTextAtomic(file, text);
    io.out(`${before === null ? 'wrote' : before === text ? 'unchanged' : 'updated'} ${file}\n`);
    io.out(`the agents' keys go in ${environmentFile(home, unit)} (KEY=value lines, chmod 600); the unit reads it and holds none\n`);
    if (systemd.userInstance) {
      io.out(
        `to start it now and at every boot:\n  systemctl --user daemon-reload && systemctl --user enable --now ${unit}\n  loginctl enable-linger ${user}\n`,
      );
    } else {
      io.out(
        `systemd is not running here (${systemd.booted ? 'no user instance answers systemctl --user' : 'not booted with systemd'}): nothing will start this unit.\n` +
          `the same for cron (crontab -e):\n  ${crontabLine(input)}\n`,
      );
    }
    return 0;
  }
  if (options.action === 'uninstall') {
    if (!existsSync(file)) {
      io.out(`not installed: no ${file}\n`);
      return 0;
    }
    // disabled first, so that no link in default.target.wants is left pointing at nothing (the team is not stopped)
    if (systemd.userInstance) await spawnRunner(['systemctl', '--user', 'disable', unit], { signal: AbortSignal.timeout(10_000) });
    rmSync(file);
    if (systemd.userInstance) await spawnRunner(['systemctl', '--user', 'daemon-reload'], { signal: AbortSignal.timeout(10_000) });
    io.out(`removed ${file}${systemd.userInstance ? ' (disabled first; the team runs on until `ao down`)' : ''}\n`);
    return 0;
  }
  const installed = existsSync(file);
  if (options.json) {
    io.out(
      `${jsonText({ unit, path: file, installed, booted: systemd.booted, user_instance: systemd.userInstance, enabled: systemd.enabled, active: systemd.active, linger: systemd.linger })}\n`,
    );
    return 0;
  }
  io.out(`${unit}: ${installed ? `installed (${file})` : 'not installed (`ao service install` writes it)'}\n`);
  if (!systemd.userInstance) io.out(`systemd: ${systemd.booted ? 'no user instance answers' : 'not running here'}; nothing starts the unit\n`);
  else
    io.out(
      `systemd: ${systemd.enabled ?? '?'}, ${systemd.active ?? '?'}; lingering ${systemd.linger === null ? 'unknown' : systemd.linger ? 'on' : `off (loginctl enable-linger ${user})`}\n`,
    );
  return 0;
}
