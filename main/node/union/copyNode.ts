/**
 * Copies one entry (a directory without its children) to `<dstDir>/<name>` so that the name never shows a
 * partial copy: the copy is built under a hidden temp name in the same directory (`.wh.` names are not
 * listed by the union), gets all its data and metadata, and only then is renamed onto the final name.
 * A crash leaves at most the temp entry; a failure removes it.
 */
import { randomBytes } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { constants } from 'node:fs';
import { fsp } from './bytePaths.ts';
import { join } from 'node:path';
import { COPYUP_TMP_PREFIX } from '../../common/whiteout.ts';
import { RENAME_NOREPLACE } from '../fuse/ops.ts';
import type { Syscalls } from '../sys/syscalls.ts';
import { copyData } from './copyData.ts';
import { copyMeta, fdSource, fdTarget, pathSource, pathTarget } from './copyMeta.ts';
import { fsError } from './fsError.ts';
import { lstatOrNull } from './fsx.ts';
import { keepingParentTimes } from './parentTimes.ts';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NONBLOCK, S_IFMT } = constants;
/** Until its metadata is set, the temp entry is private to its owner (it may become a setuid file). */
const PRIVATE = 0o600;
const PRIVATE_DIR = 0o700;

export interface CopyNodeOptions {
  /** Regular files: copy only the first N bytes (when the copy is about to be truncated anyway). */
  truncateTo?: bigint;
  /** Regular files: fsync before the rename, so a crash cannot publish a name whose data never reached disk. */
  durable?: boolean;
}

/** Returns false, changing nothing, when `<dstDir>/<name>` exists by the time the copy is ready. */
export async function copyNode(sys: Syscalls, src: string, dstDir: string, name: string, opts: CopyNodeOptions): Promise<boolean> {
  const st = await fsp.lstat(src, { bigint: true });
  const tmp = join(dstDir, COPYUP_TMP_PREFIX + randomBytes(8).toString('hex'));
  return keepingParentTimes(sys, dstDir, async () => {
    try {
      await build(sys, src, st, tmp, opts);
      const published = await publish(sys, tmp, join(dstDir, name));
      if (!published) await discard(tmp, st);
      return published;
    } catch (err) {
      await discard(tmp, st);
      throw err;
    }
  });
}

function build(sys: Syscalls, src: string, st: BigIntStats, tmp: string, opts: CopyNodeOptions): Promise<void> {
  if (st.isFile()) return buildFile(sys, src, tmp, opts);
  if (st.isDirectory()) return buildDir(sys, src, st, tmp);
  if (st.isSymbolicLink()) return buildSymlink(sys, src, st, tmp);
  return buildSpecial(sys, src, st, tmp);
}

async function buildFile(sys: Syscalls, src: string, tmp: string, opts: CopyNodeOptions): Promise<void> {
  // O_NOFOLLOW|O_NONBLOCK: if the source was swapped for a symlink or a FIFO since lstat, fail or return
  // at once instead of following it or blocking.
  const from = await fsp.open(src, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  try {
    const st = await from.stat({ bigint: true });
    if (!st.isFile()) throw fsError('EAGAIN', 'copyup', src);
    const length = opts.truncateTo !== undefined && opts.truncateTo < st.size ? opts.truncateTo : st.size;
    const to = await fsp.open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, PRIVATE);
    try {
      await copyData(sys, from, to, length);
      await copyMeta(fdSource(sys, from.fd), st, fdTarget(sys, to));
      if (opts.durable) await to.sync();
    } finally {
      await to.close();
    }
  } finally {
    await from.close();
  }
}

async function buildDir(sys: Syscalls, src: string, st: BigIntStats, tmp: string): Promise<void> {
  await fsp.mkdir(tmp, PRIVATE_DIR);
  await copyMeta(pathSource(sys, src), st, pathTarget(sys, tmp, false));
}

async function buildSymlink(sys: Syscalls, src: string, st: BigIntStats, tmp: string): Promise<void> {
  // As a Buffer: a target is bytes, not necessarily valid UTF-8.
  await fsp.symlink(await fsp.readlink(src, { encoding: 'buffer' }), tmp);
  await copyMeta(pathSource(sys, src), st, pathTarget(sys, tmp, true));
}

/** FIFOs, sockets, char and block devices: a node of the same type and device number. */
async function buildSpecial(sys: Syscalls, src: string, st: BigIntStats, tmp: string): Promise<void> {
  await sys.mknod(tmp, (Number(st.mode) & S_IFMT) | PRIVATE, st.rdev);
  await copyMeta(pathSource(sys, src), st, pathTarget(sys, tmp, false));
}

/**
 * RENAME_NOREPLACE so a name that appeared meanwhile (made by another process, or a directory a concurrent
 * cloneDirs created) is never replaced: false then. Filesystems without the flag (EINVAL: FUSE 2 and
 * older NFS branches) get a check-then-rename, whose small window is the best they allow.
 */
async function publish(sys: Syscalls, tmp: string, final: string): Promise<boolean> {
  try {
    await sys.renameat2(tmp, final, RENAME_NOREPLACE);
    return true;
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EINVAL') throw err;
  }
  if (await lstatOrNull(final)) return false;
  await fsp.rename(tmp, final);
  return true;
}

/** Best effort: the error being reported is the one that made the copy fail, not a cleanup problem. */
async function discard(tmp: string, st: BigIntStats): Promise<void> {
  await (st.isDirectory() ? fsp.rmdir(tmp) : fsp.unlink(tmp)).catch(() => undefined);
}
