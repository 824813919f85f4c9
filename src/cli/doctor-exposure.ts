/**
 * `ao doctor`'s judgement of who else can read what ao keeps: the state folder
 * (conversations, kickoffs, inboxes, logs) should be 0700 and its files 0600,
 * the boot unit's environment file (the agents' keys) 0600. Pure: the modes
 * come in, checks go out.
 */
import type { Check } from './doctor-checks.js';

/** A path (relative to what holds it) and its permission bits. */
export interface ModeFact {
  path: string;
  mode: number;
}

export interface ExposureFacts {
  stateDir: string;
  /** the state folder's own bits, or null when it does not exist yet */
  folderMode: number | null;
  /** the files and folders under it that the group or others may read or write (links are not counted) */
  exposed: ModeFact[];
  /** how many entries were looked at, and whether the look stopped at its cap */
  scanned: number;
  truncated: boolean;
  /** the boot unit's environment file, when there is one */
  unitEnv: ModeFact | null;
}

/** Bits that let the group or others in: on a folder any of them, on a file reading or writing. */
export const folderExposed = (mode: number): boolean => (mode & 0o077) !== 0;
export const fileExposed = (mode: number): boolean => (mode & 0o066) !== 0;

const octal = (mode: number): string => (mode & 0o777).toString(8).padStart(4, '0');

/** What the state folder and the unit's environment file let others do, one check each. */
export function exposureChecks(f: ExposureFacts): Check[] {
  const checks: Check[] = [];
  const name = 'state folder modes';
  if (f.folderMode === null) checks.push({ check: name, status: 'ok', detail: `${f.stateDir} not made yet (ao makes it 0700)`, fix: null });
  else {
    const problems: string[] = [];
    if (folderExposed(f.folderMode)) problems.push(`${f.stateDir} is ${octal(f.folderMode)}`);
    if (f.exposed.length > 0) {
      const shown = f.exposed.slice(0, 3).map((e) => `${e.path} ${octal(e.mode)}`);
      problems.push(
        `${f.exposed.length}${f.truncated ? '+' : ''} of its entries the group or others may read or write (${shown.join(', ')}${f.exposed.length > 3 ? ', …' : ''})`,
      );
    }
    checks.push(
      problems.length === 0
        ? {
            check: name,
            status: 'ok',
            detail: `${f.stateDir} ${octal(f.folderMode)}, ${f.scanned}${f.truncated ? '+' : ''} entries readable by this user only`,
            fix: null,
          }
        : {
            check: name,
            status: 'warn',
            detail: `${problems.join('; ')}: other users can read the agents' conversations, kickoffs and inboxes`,
            fix: `chmod -R go-rwx ${f.stateDir}`,
          },
    );
  }
  if (f.unitEnv) {
    const env = 'boot unit env file';
    checks.push(
      fileExposed(f.unitEnv.mode)
        ? {
            check: env,
            status: 'warn',
            detail: `${f.unitEnv.path} is ${octal(f.unitEnv.mode)}: the group or others can read or change the agents' keys`,
            fix: `chmod 600 ${f.unitEnv.path}`,
          }
        : { check: env, status: 'ok', detail: `${f.unitEnv.path} ${octal(f.unitEnv.mode)}`, fix: null },
    );
  }
  return checks;
}
