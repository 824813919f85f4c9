/** The boot unit as `ao service install --print` gives it, and its command run as systemd would. */
import { execa, type ResultPromise } from 'execa';

/** The words of a systemd command line (the unit quotes with "" and escapes %% and $$). */
export function systemdWords(line: string): string[] {
  const words = [...line.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map((m) => (m[1] !== undefined ? m[1].replace(/\\(.)/g, '$1') : m[2]!));
  return words.map((w) => w.replace(/%%/g, '%').replace(/\$\$/g, '$'));
}

export interface Unit {
  cwd: string;
  argv: string[];
  /** ExecStop: what systemctl --user stop runs */
  stop: string[];
  env: Record<string, string>;
}

export function parseUnit(text: string): Unit {
  const value = (key: string): string[] => [...text.matchAll(new RegExp(`^${key}=(.*)$`, 'gm'))].map((m) => m[1]!);
  const env = Object.fromEntries(value('Environment').map((v) => systemdWords(v)[0]!.split(/=(.*)/s).slice(0, 2) as [string, string]));
  return { cwd: value('WorkingDirectory')[0]!, argv: systemdWords(value('ExecStart')[0]!), stop: systemdWords(value('ExecStop')[0]!), env };
}

/** The unit's command in the foreground, with the unit's environment and nothing else but HOME (as systemd would run it). */
export function boot(unit: Unit, home: string): ResultPromise<{ reject: false; extendEnv: false; env: Record<string, string>; cwd: string; timeout: number }> {
  return execa(unit.argv[0]!, unit.argv.slice(1), { cwd: unit.cwd, env: { ...unit.env, HOME: home }, extendEnv: false, reject: false, timeout: 90_000 });
}
