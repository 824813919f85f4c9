/**
 * One read of a host's projects for `ao fleet status`: a bash script, sent on
 * ssh's stdin, that prints what `ao status` would read there — each project's
 * agents.toml and its validated copy (config/cache.ts), the files the copy
 * rests on, the state files of the read model, the watchdog lock's holder in
 * /proc, and one `tmux list-panes` per socket — in sections, and runs no node.
 * A node start is most of a remote `ao status` (docs/PERFORMANCE.md); this
 * costs the host a bash and one tmux call. The status is then built here by
 * the same read model (fleet/remote-view.ts); whatever the read cannot vouch
 * for is a miss, and that project is asked of its host's ao as before.
 *
 * The script reads with builtins only (`read -N`, globs, `[[ ]]`), never
 * through a link and never from anything but a regular file, as safe-fs.ts
 * does here; a path it reads comes from this side (quoted) or from the copy
 * that host's ao wrote.
 */
import type { FleetProject } from '../config/fleet.js';
import { fleetOverrides } from '../config/fleet.js';
import { randomHex } from '../state/digest.js';
import { JSON_CAP } from '../state/safe-fs.js';
import { shellQuote } from '../tmux/client.js';
import { SNAPSHOT_FORMAT } from '../tmux/snapshot.js';

/** What the host said of one project: its sections by name (text, or null for a file that is missing). */
export interface ProjectRead {
  sections: Map<string, string | null>;
  /** the sections of files that are there and could not be read as files (a link, a FIFO, a folder, no permission) */
  bad: Set<string>;
  /** the exit records by agent */
  exits: Map<string, string>;
}

/** What one read of a host brought back: each project's sections by its index in the call, and `tmux list-panes` per socket. */
export interface HostRead {
  projects: Map<number, ProjectRead>;
  /** per socket: what list-panes printed (stdout and stderr) and its exit code */
  panes: Map<string, { text: string; code: number }>;
}

/** The command ssh runs on the host: bash reading the script from stdin (a host without bash exits 127, and its ao is asked). */
export const HOST_READ_COMMAND = 'exec bash -s';

/** A boundary no file holds: a fresh random word per call. */
export const newBoundary = (): string => `--ao-read-${randomHex(12)}`;

/** One file past this size is a miss (the read model's own cap on a state file is JSON_CAP). */
const CAP = JSON_CAP + 1;

/**
 * The script. Per project: `D` its folder, `S` the state folder a plain
 * `state_dir` line names (checked here against the same rule), the copy's
 * socket for list-panes, and the fleet's socket and prefix overrides exported
 * as `ao -c` would get them (fleetOverrides).
 */
export function hostReadScript(ao: string, projects: readonly FleetProject[], boundary: string): string {
  const calls = projects.map((p, i) => {
    const env = fleetOverrides(p);
    return `one ${i} ${shellQuote(p.dir)} ${shellQuote(env.AO_TMUX_SOCKET ?? '')} ${shellQuote(env.AO_SESSION_PREFIX ?? '')}`;
  });
  return `${[
    // bytes, not characters, for read -N; not exported: tmux runs in the login's own locale, and with TMUX set, as ao runs it
    // (process/run.ts; tmux takes a client that has TMUX for one that reads UTF-8, and writes "_" for a tab to one that does not)
    'L0=${LC_ALL-}; L1=${LC_ALL+1}; LC_ALL=C',
    'shopt -s nullglob dotglob',
    `B=${shellQuote(boundary)}`,
    `F=${shellQuote(SNAPSHOT_FORMAT)}`,
    'R=',
    'declare -A SEEN',
    'sec() { printf "\\n%s %s\\n" "$B" "$1"; }',
    // a regular file's text (never through a link); else the key marked missing (-), or there and not a file to read (!); R keeps the text
    `put() { R=; if [[ -f $2 && ! -L $2 && -r $2 ]]; then IFS= read -r -N ${CAP} R < "$2"; sec "$1"; printf "%s" "$R"; elif [[ -e $2 || -L $2 ]]; then sec "$1 !"; else sec "$1 -"; fi; }`,
    'one() {',
    '  local i=$1 D=$2 S= here=$PWD dr= sr= sock= q= rest= f= pid=',
    // this project's overrides only: local to the call, so that the next project sees the login's own
    '  if [[ -n $3 ]]; then local -x AO_TMUX_SOCKET=$3; fi',
    '  if [[ -n $4 ]]; then local -x AO_SESSION_PREFIX=$4; fi',
    '  sec "$i:env"; printf "%s\\n%s" "${AO_TMUX_SOCKET-}" "${AO_SESSION_PREFIX-}"',
    '  put "$i:toml" "$D/agents.toml"',
    '  [[ $R =~ (^|$\'\\n\')[[:blank:]]*state_dir[[:blank:]]*=[[:blank:]]*\\"([^\\"\\\\]*)\\" ]] && S=${BASH_REMATCH[2]}',
    '  case $S in "") S=$D/state ;; /*) ;; *) S=$D/$S ;; esac',
    '  sec "$i:state"; printf "%s" "$S"',
    '  cd -P -- "$D" 2>/dev/null && dr=$PWD; cd -P -- "$S" 2>/dev/null && sr=$PWD; cd -- "$here"',
    '  sec "$i:real"; [[ -n $dr && -n $sr && ( $sr == "$dr" || $sr == "$dr"/* ) ]] && printf 1',
    '  put "$i:copy" "$S/project-cache.json"',
    '  rest=$R',
    '  [[ $rest =~ \\"tmuxSocket\\":\\"([^\\"\\\\]*)\\" ]] && sock=${BASH_REMATCH[1]}',
    '  [[ $rest =~ \\"kickoffTemplatePath\\":\\"([^\\"\\\\]*)\\" ]] && put "$i:kickoff" "${BASH_REMATCH[1]}"',
    // every absolute path the copy names: what the copy rests on is among them
    '  sec "$i:paths"',
    '  while [[ $rest =~ \\"(/[^\\"\\\\]*)\\" ]]; do',
    '    q=${BASH_REMATCH[1]}; rest=${rest#*"${BASH_REMATCH[0]}"}',
    '    if [[ -d $q ]]; then printf "d %s\\n" "$q"; elif [[ -e $q ]]; then printf "f %s\\n" "$q"; else printf -- "- %s\\n" "$q"; fi',
    '  done',
    '  sec "$i:prompts"; for f in "$D"/prompts/*; do printf "%s\\n" "${f##*/}"; done',
    '  put "$i:agents" "$S/agents.json"',
    '  put "$i:phase" "$S/phase.json"',
    '  put "$i:config-error" "$S/config-error.json"',
    '  put "$i:usage-totals" "$S/usage-totals.json"',
    '  if [[ -L $S/usage.jsonl ]]; then sec "$i:usage-stat"; printf link; elif [[ -f $S/usage.jsonl ]]; then sec "$i:usage-stat"; LC_ALL=C stat -c "%i %s %.9Y" -- "$S/usage.jsonl" 2>/dev/null; fi',
    '  put "$i:lock" "$S/watchdog.lock"',
    '  [[ $R =~ \\"pid\\":([0-9]+) ]] && pid=${BASH_REMATCH[1]}',
    '  if [[ -n $pid && -r /proc/$pid/stat ]]; then',
    '    put "$i:proc-stat" "/proc/$pid/stat"',
    '    sec "$i:proc-args"; while IFS= read -r -d "" q; do printf "%s\\n" "$q"; done < "/proc/$pid/cmdline"',
    '  fi',
    '  for f in "$S"/exits/*; do [[ -f $f && ! -L $f ]] || continue; IFS= read -r -N 257 q < "$f"; sec "$i:exit ${f##*/}"; printf "%s" "$q"; done',
    '  sec "$i:socket"; printf "%s" "$sock"',
    '  if [[ -n $sock && -z ${SEEN[$sock]-} ]]; then SEEN[$sock]=1; sec "panes $sock"; if [[ -n $L1 ]]; then LC_ALL=$L0 TMUX= tmux -L "$sock" list-panes -a -F "$F" 2>&1; else TMUX= tmux -L "$sock" list-panes -a -F "$F" 2>&1; fi; q=$?; sec "panes-code $sock"; printf "%s" "$q"; fi',
    '}',
    `type -P -- ${shellQuote(ao)} >/dev/null || { sec no-ao; exit 0; }`,
    ...calls,
    'sec end',
  ].join('\n')}\n`;
}

/** Pure: the script's output as its sections; null when it is not one (cut short, or no end). */
export function parseHostRead(stdout: string, boundary: string): HostRead | null {
  const parts = stdout.split(`\n${boundary} `);
  if (parts.length < 2 || parts.at(-1) !== 'end\n') return null;
  const read: HostRead = { projects: new Map(), panes: new Map() };
  const codes = new Map<string, number>();
  for (const part of parts.slice(1, -1)) {
    const newline = part.indexOf('\n');
    const key = part.slice(0, newline);
    const text = part.slice(newline + 1);
    if (key === 'no-ao') return null;
    let m = /^panes (.*)$/.exec(key);
    if (m) read.panes.set(m[1]!, { text, code: -1 });
    else if ((m = /^panes-code (.*)$/.exec(key))) codes.set(m[1]!, Number(text));
    else if ((m = /^(\d+):(\S+)(?: (.*))?$/.exec(key))) {
      const index = Number(m[1]);
      const project = read.projects.get(index) ?? { sections: new Map(), bad: new Set(), exits: new Map() };
      read.projects.set(index, project);
      if (m[2] === 'exit') project.exits.set(m[3] ?? '', text);
      else if (m[3] === '!') project.bad.add(m[2]!);
      else project.sections.set(m[2]!, m[3] === '-' ? null : text);
    }
  }
  for (const [socket, panes] of read.panes) panes.code = codes.get(socket) ?? -1;
  return read;
}
