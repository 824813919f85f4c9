/**
 * ao's one sha256 and its random names, with node's crypto module loaded at
 * first use rather than when a file imports it: loading it costs every node
 * process 5-10 ms, and a plain `ao status`, which scripts and prompts run all
 * day, hashes nothing on its way (docs/PERFORMANCE.md). `process.getBuiltinModule`
 * is in every node ao runs on (node >= 20.16; package.json asks for 20.19).
 */
import type * as Crypto from 'node:crypto';

let crypto: typeof Crypto | undefined;
const loaded = (): typeof Crypto => (crypto ??= process.getBuiltinModule('node:crypto'));

/** The sha256 of a text (as UTF-8) or of bytes, in hex. */
export const sha256 = (data: string | Uint8Array): string => loaded().createHash('sha256').update(data).digest('hex');

/** `bytes` random bytes in hex: names no other process can guess. */
export const randomHex = (bytes: number): string => loaded().randomBytes(bytes).toString('hex');
