/**
 * Names as Linux has them: bytes. The native backend hands the engine each path as a string in which a
 * byte that is not part of valid UTF-8 is a lone surrogate U+DC80..U+DCFF (native/common/bytes.h).
 * Node's fs would write such a surrogate as U+FFFD, so a path holding one reaches fs as the Buffer of
 * its bytes, and names fs reads back (readdir, readlink) are decoded the same way. Valid UTF-8 names,
 * nearly all of them, pass through as plain strings at the cost of one regular-expression test.
 *
 * A branch path may also be longer than PATH_MAX: a union path may be almost PATH_MAX long itself, and
 * the branch root comes on top. The kernel refuses such a string, so the directory holding most of it
 * is opened and the rest named through /proc/self/fd (native/sys/src/short_path.h does the same).
 */
import fsCallbacks from 'node:fs';
import fsPromises from 'node:fs/promises';

/** A lone surrogate that stands for a byte (not the low half of a surrogate pair). */
const ESCAPED_BYTE = /(?<![\uD800-\uDBFF])[\uDC80-\uDCFF]/;

export function hasEscapedBytes(s: string): boolean {
  return ESCAPED_BYTE.test(s);
}

/** The bytes a union path stands for. */
export function pathBytes(s: string): Buffer {
  const out: number[] = [];
  let run = '';
  const flush = () => {
    if (run) for (const b of Buffer.from(run, 'utf8')) out.push(b);
    run = '';
  };
  for (let i = 0; i < s.length; i++) {
    const unit = s.charCodeAt(i);
    const pairedLow = i > 0 && unit >= 0xdc00 && unit <= 0xdfff && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff;
    if (unit >= 0xdc80 && unit <= 0xdcff && !pairedLow) {
      flush();
      out.push(unit - 0xdc00);
    } else {
      run += s[i];
    }
  }
  flush();
  return Buffer.from(out);
}

/** What fs needs for a union path: the string itself, or its bytes when it holds escaped ones. */
export function fsPath(s: string): string | Buffer {
  return hasEscapedBytes(s) ? pathBytes(s) : s;
}

/** Length in bytes, as NAME_MAX counts it. */
export function byteLength(s: string): number {
  return hasEscapedBytes(s) ? pathBytes(s).length : Buffer.byteLength(s);
}

/** Bytes from fs as a union path string: UTF-8 where valid, escaped bytes where not. */
export function pathString(bytes: Buffer): string {
  const fast = bytes.toString('utf8');
  // U+FFFD marks where decoding lost bytes (or a real U+FFFD, which the slow path keeps too).
  if (!fast.includes('\uFFFD')) return fast;
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const len = validSequence(bytes, i);
    if (len === 0) {
      out += String.fromCharCode(0xdc00 + bytes[i]);
      i++;
    } else {
      out += bytes.subarray(i, i + len).toString('utf8');
      i += len;
    }
  }
  return out;
}

/** Length of the valid UTF-8 sequence at bytes[i], or 0 (overlong, surrogate, > U+10FFFF, truncated). */
function validSequence(bytes: Buffer, i: number): number {
  const c = bytes[i];
  if (c < 0x80) return 1;
  const [len, min, first] = c >= 0xc0 && c < 0xe0 ? [2, 0x80, c & 0x1f] : c >= 0xe0 && c < 0xf0 ? [3, 0x800, c & 0x0f] : c >= 0xf0 && c < 0xf8 ? [4, 0x10000, c & 0x07] : [0, 0, 0];
  if (len === 0 || i + len > bytes.length) return 0;
  let cp = first;
  for (let k = 1; k < len; k++) {
    if ((bytes[i + k] & 0xc0) !== 0x80) return 0;
    cp = (cp << 6) | (bytes[i + k] & 0x3f);
  }
  return cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ? 0 : len;
}

type AnyFn = (...args: unknown[]) => unknown;

const PATH_MAX = 4096;
/** Room for "/proc/self/fd/N/" in front of what is left of a long path. */
const PREFIX_ROOM = 64;
const SLASH = 0x2f;

const fsArg = (a: unknown) => (typeof a === 'string' && hasEscapedBytes(a) ? pathBytes(a) : a);
/** Paths are the string arguments (data goes as Buffers); each UTF-16 unit is at most 3 bytes. */
const isLong = (a: unknown) => typeof a === 'string' && a.length >= PATH_MAX / 3 && byteLength(a) >= PATH_MAX;

/** The arguments with every over-long path reached through an opened directory, and what closes those. */
async function shortPaths(args: unknown[]): Promise<{ args: unknown[]; release: () => Promise<void> }> {
  const opened: fsPromises.FileHandle[] = [];
  const release = async () => {
    await Promise.all(opened.map((d) => d.close()));
  };
  try {
    const short = await Promise.all(args.map(async (a) => {
      if (!isLong(a)) return fsArg(a);
      const bytes = pathBytes(a as string);
      const slash = bytes.indexOf(SLASH, bytes.length - (PATH_MAX - PREFIX_ROOM));
      if (slash <= 0 || slash >= PATH_MAX) return bytes; // the kernel's ENAMETOOLONG is the answer
      const dir = await fsPromises.open(bytes.subarray(0, slash), fsCallbacks.constants.O_RDONLY | fsCallbacks.constants.O_DIRECTORY);
      opened.push(dir);
      return Buffer.concat([Buffer.from(`/proc/self/fd/${dir.fd}`), bytes.subarray(slash)]);
    }));
    return { args: short, release };
  } catch (err) {
    await release();
    throw err;
  }
}

/** node:fs/promises for union paths. */
export const fsp = wrapModule(fsPromises, (fn) => async (...args) => {
  if (!args.some(isLong)) return fn(...args.map(fsArg));
  const short = await shortPaths(args);
  try {
    return await fn(...short.args);
  } finally {
    await short.release();
  }
});

/** node:fs (callback API) for union paths. */
export const fsc = wrapModule(fsCallbacks, (fn) => (...args) => {
  const done = args.at(-1);
  if (!args.some(isLong) || typeof done !== 'function') return fn(...args.map(fsArg));
  shortPaths(args.slice(0, -1)).then(
    (short) => fn(...short.args, (...result: unknown[]) => void short.release().finally(() => (done as AnyFn)(...result))),
    (err) => (done as AnyFn)(err),
  );
});

function wrapModule<T extends object>(module: T, wrap: (fn: AnyFn, name: string) => AnyFn): T {
  const wrapped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(module)) wrapped[name] = typeof value === 'function' ? wrap(value as AnyFn, name) : value;
  return wrapped as T;
}

/** readdir with names exactly as the directory holds them. */
export async function readdirNames(dir: string): Promise<string[]> {
  const names = await fsp.readdir(dir);
  if (!names.some((n) => n.includes('\uFFFD'))) return names;
  return (await fsp.readdir(dir, { encoding: 'buffer' })).map(pathString);
}

/** readlink with the target exactly as stored. */
export async function readlinkTarget(path: string): Promise<string> {
  const target = await fsp.readlink(path);
  return target.includes('\uFFFD') ? pathString(await fsp.readlink(path, { encoding: 'buffer' })) : target;
}
