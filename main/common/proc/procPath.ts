/**
 * Paths as /proc prints them. The kernel hands out raw bytes; the scanner reads them as latin1 (one char
 * per byte, lossless) and everything here turns that into the string Strata shows and compares: UTF-8
 * where the bytes are valid UTF-8, `\xNN` for each byte that is not (a name need not be UTF-8 on Linux).
 */
import { isSameOrInside, relativeUnionPath } from '../absolutePath.ts';

const DELETED = ' (deleted)';

/** Decode a latin1 byte string as UTF-8, escaping invalid bytes as \xNN so nothing is lost silently. */
export function decodeProcBytes(bytes: string): string {
  if (/^[\x00-\x7f]*$/.test(bytes)) return bytes;
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const b = bytes.charCodeAt(i);
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    const cp = len > 1 ? utf8CodePoint(bytes, i, len) : len === 1 ? b : -1;
    if (cp < 0) {
      out += '\\x' + b.toString(16).padStart(2, '0');
      i += 1;
    } else {
      out += String.fromCodePoint(cp);
      i += len;
    }
  }
  return out;
}

/** The code point of the `len`-byte sequence at `i`, or -1 when it is truncated, overlong or a surrogate. */
function utf8CodePoint(bytes: string, i: number, len: number): number {
  if (i + len > bytes.length) return -1;
  let cp = bytes.charCodeAt(i) & (0xff >> (len + 1));
  for (let k = 1; k < len; k++) {
    const c = bytes.charCodeAt(i + k);
    if ((c & 0xc0) !== 0x80) return -1;
    cp = (cp << 6) | (c & 0x3f);
  }
  const min = len === 2 ? 0x80 : len === 3 ? 0x800 : 0x10000;
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
  return cp;
}

/**
 * d_path() appends " (deleted)" to unlinked files. A file can really be named "x (deleted)", so this is
 * a claim the caller may overrule (the tracker does, when the worker has a handle under the full name).
 */
export function splitDeleted(path: string): { path: string; deleted: boolean } {
  return path.endsWith(DELETED) ? { path: path.slice(0, -DELETED.length), deleted: true } : { path, deleted: false };
}

export function withDeletedSuffix(path: string): string {
  return path + DELETED;
}

/** `rest` relative to `root` ('' for root itself, '/x' below it), or null when `path` is not under it. */
export function pathBelow(root: string, path: string): string | null {
  if (!isSameOrInside(path, root)) return null;
  const rel = relativeUnionPath(path, root);
  return rel === '/' ? '' : rel;
}

/** Inverse of pathBelow: root + rest, keeping '/' for the root itself. */
export function joinBelow(root: string, rest: string): string {
  if (rest === '') return root;
  return root === '/' ? rest : root + rest;
}
