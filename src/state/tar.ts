/**
 * Pure: a POSIX ustar archive of regular files, as one Buffer (`ao bundle`
 * gzips it). Enough of the format for `tar -xzf` to open: a 512-byte header per
 * file, its bytes padded to 512, two zero blocks at the end.
 */

export interface TarEntry {
  /** a relative path, `/`-separated */
  path: string;
  bytes: Buffer;
  mode?: number;
  mtime?: Date;
}

const BLOCK = 512;

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

/** The path as ustar's name (100 bytes) and prefix (155), split at a `/`; a path that fits neither throws. */
function splitPath(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let at = path.indexOf('/'); at > 0; at = path.indexOf('/', at + 1)) {
    const prefix = path.slice(0, at);
    const name = path.slice(at + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  throw new Error(`a path too long for a tar header: ${path}`);
}

function header(entry: TarEntry): Buffer {
  const block = Buffer.alloc(BLOCK);
  const { name, prefix } = splitPath(entry.path);
  const put = (text: string, at: number, width: number): void => void block.write(text, at, width, 'utf8');
  put(name, 0, 100);
  put(octal(entry.mode ?? 0o600, 8), 100, 8);
  put(octal(0, 8), 108, 8); // uid
  put(octal(0, 8), 116, 8); // gid
  put(octal(entry.bytes.length, 12), 124, 12);
  put(octal(Math.floor((entry.mtime ?? new Date()).getTime() / 1000), 12), 136, 12);
  put('        ', 148, 8); // the checksum counts its own field as spaces
  put('0', 156, 1); // a regular file
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  put(prefix, 345, 155);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8);
  return block;
}

export function tarOf(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    parts.push(header(entry), entry.bytes);
    const pad = (BLOCK - (entry.bytes.length % BLOCK)) % BLOCK;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
