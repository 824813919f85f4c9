/** What `ao service status` and `ao doctor` ask of systemd: is there a user instance, is the unit enabled and running, is lingering on. */
import { existsSync } from 'node:fs';
import { userInfo } from 'node:os';
import { spawnRunner, type Runner } from '../process/run.js';

export interface SystemdState {
  /** the machine was booted with systemd (sd_booted's test) */
  booted: boolean;
  /** a systemd user instance answers `systemctl --user` */
  userInstance: boolean;
  /** `systemctl --user is-enabled` (enabled, disabled, not-found, …), null when not asked */
  enabled: string | null;
  /** `systemctl --user is-active` (active, inactive, failed, …), null when not asked */
  active: string | null;
  /** lingering: the user instance starts at boot without a login; null when unknown */
  linger: boolean | null;
}

export const currentUser = (env: NodeJS.ProcessEnv): string => env.USER || env.LOGNAME || userInfo().username;

async function answer(runner: Runner, argv: string[]): Promise<{ code: number; text: string }> {
  const r = await runner(argv, { signal: AbortSignal.timeout(5000) });
  return { code: r.exitCode, text: r.stdout.trim() };
}

export async function systemdState(unit: string, user: string, runner: Runner = spawnRunner): Promise<SystemdState> {
  const booted = existsSync('/run/systemd/system');
  if (!booted) return { booted, userInstance: false, enabled: null, active: null, linger: null };
  const userInstance = (await answer(runner, ['systemctl', '--user', 'show-environment'])).code === 0;
  const linger = existsSync(`/var/lib/systemd/linger/${user}`)
    ? true
    : await answer(runner, ['loginctl', 'show-user', user, '--property=Linger', '--value']).then((r) => (r.code === 0 ? r.text === 'yes' : null));
  if (!userInstance) return { booted, userInstance, enabled: null, active: null, linger };
  const enabled = (await answer(runner, ['systemctl', '--user', 'is-enabled', unit])).text || null;
  const active = (await answer(runner, ['systemctl', '--user', 'is-active', unit])).text || null;
  return { booted, userInstance, enabled, active, linger };
}
