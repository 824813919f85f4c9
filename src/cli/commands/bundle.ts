import { sha256 } from '../../state/digest.js';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Redactor } from '../../text/redact.js';
import { jsonText } from '../../text/safe.js';
import { tarOf } from '../../state/tar.js';
import { commandParts, fileParts, LOG_TAIL, secretsOf, type Part } from '../bundle-parts.js';
import { openProjectOrRunning } from '../context.js';
import type { GlobalOptions, Io } from '../io.js';

export interface BundleOptions extends GlobalOptions {
  out?: string;
  streams?: boolean;
  json?: boolean;
  /** the time the bundle is named by (tests) */
  now?: Date;
}

const stamp = (d: Date): string =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

/** The bundle's README: what is in it, what was redacted (by name, never by value), how to check it. */
export function bundleReadme(project: string, when: Date, parts: readonly Part[], counts: ReadonlyMap<string, number>, changed: readonly string[]): string {
  const redacted = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
  return [
    `# ao bundle of ${project}, ${when.toISOString()}`,
    '',
    "Everything needed to understand the project's state: its config, what the read commands said,",
    'the ledger and its verification, the state files, the exit records, the kickoffs and the newest',
    `${LOG_TAIL / 1024} KB of each log. Check it with \`sha256sum -c MANIFEST.sha256\`.`,
    '',
    '## Files',
    '',
    ...parts.map((p) => `- ${p.path} (${p.bytes.length} bytes)`),
    '',
    '## Redacted',
    '',
    'Each of these was replaced by `[redacted]` in every file, logs and streams included:',
    '',
    ...(redacted.length > 0 ? redacted.map(([name, n]) => `- ${name}: ${n} time${n === 1 ? '' : 's'}`) : ['- nothing was found to redact']),
    '',
    changed.some((p) => p.startsWith('ledger/events.jsonl'))
      ? 'A redaction changes the bytes of the ledger lines it touches, so `ao verify` run on this copy breaks at them: ledger/verify.json is the verification of the ledger as it is on the machine, before redaction.'
      : 'No ledger line was redacted: the copy in ledger/ verifies as the original does (ledger/verify.json).',
    '',
    `Files changed by redaction: ${changed.length > 0 ? changed.join(', ') : 'none'}.`,
    '',
  ].join('\n');
}

/** `ao bundle [--out FILE] [--streams]`: one .tar.gz of the project's state, secrets redacted, with MANIFEST.sha256. */
export async function bundle(options: BundleOptions, io: Io): Promise<number> {
  const started = performance.now();
  const { project } = openProjectOrRunning(options, io, true);
  const when = options.now ?? new Date();
  const root = `ao-bundle-${project.name}-${stamp(when)}`;
  const out = resolve(io.cwd, options.out ?? `${root}.tar.gz`);
  const gathered = [...fileParts(project, options.streams === true), ...(await commandParts(project, options, io))];
  const redactor = new Redactor(secretsOf(project, io.env));
  const changed: string[] = [];
  const parts = gathered.map((p) => {
    const { bytes, redacted } = redactor.redact(p.bytes);
    if (redacted > 0) changed.push(p.path);
    return { path: p.path, bytes };
  });
  const readme = redactor.redact(Buffer.from(bundleReadme(project.name, when, parts, redactor.counts, changed))).bytes;
  parts.unshift({ path: 'README.md', bytes: readme });
  const manifest = Buffer.from(parts.map((p) => `${sha256(p.bytes)}  ${p.path}\n`).join(''));
  parts.push({ path: 'MANIFEST.sha256', bytes: manifest });
  const archive = gzipSync(tarOf(parts.map((p) => ({ path: `${root}/${p.path}`, bytes: p.bytes, mtime: when }))));
  writeFileSync(out, archive, { mode: 0o600 });
  const ms = Math.round(performance.now() - started);
  const redacted = Object.fromEntries(redactor.counts);
  if (options.json) io.out(`${jsonText({ path: out, bytes: archive.length, files: parts.length, redacted, ms })}\n`);
  else {
    io.out(`${out} (${archive.length} bytes, ${parts.length} files, ${ms} ms)\n`);
    if (redactor.counts.size > 0) io.out(`redacted: ${[...redactor.counts.keys()].join(', ')}\n`);
  }
  return 0;
}
