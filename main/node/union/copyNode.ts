/**
 * Copies one entry (a directory without its children) to `<dstDir>/<name>` so that the name never shows a
 * partial copy. A regular file is built unnamed (O_TMPFILE) in the branch's work directory (see
 * workDirs.ts) and linked onto the final name once it has all its data and metadata, as overlayfs does:
 * a crash or a failure leaves nothing. Anything else, and a file where the filesystem has no unnamed
 * files, is built under a hidden temp name (in the work directory too; `.wh.` names are not listed by
 * the union) and then renamed onto the final name. A crash leaves at most that temp entry, which the
 * next mount clears; a failure removes it.
 */
import { constants } from 'node:fs';
import { RENAME_NOREPLACE } from '../sys/fsValues.ts';
import type { BranchStat } from '../sys/statBatch.ts';
import type { Syscalls } from '../sys/syscalls.ts';
import { BranchFs, joinRel } from './branchFs.ts';
import type { Branch } from './branchSet.ts';
import { copyData } from './copyData.ts';
import { copyMeta, fdSource, fdTarget, pathSource, pathTarget } from './copyMeta.ts';
import { type ErrnoName, errnoException, hasErrno } from '../sys/errno.ts';
import { closeFd, fstat, fsyncFd } from './fdCalls.ts';
import { keepingParentTimes } from './parentTimes.ts';
import { type TempPlacer, type TempSpot, besideTarget } from './workDirs.ts';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NONBLOCK, S_IFMT, S_IFREG, S_IFDIR, S_IFLNK } = constants;
/** Until its metadata is set, the temp entry is private to its owner (it may become a setuid file). */
const PRIVATE = 0o600;
const PRIVATE_DIR = 0o700;

export interface CopyNodeOptions {
  /** Regular files: copy only the first N bytes (when the copy is about to be truncated anyway). */
  truncateTo?: bigint;
  /**
   * Regular files: fsync before publishing, so a crash cannot publish a name whose data never reached
   * disk. Not when no data is copied (truncateTo 0): as overlayfs, whose copy-up for a truncate skips
   * its data and the fsync; the journal orders the copy's metadata before the link that names it.
   */
  durable?: boolean;
  /** Where the temp entry is built (default: beside the final name). */
  temp?: TempPlacer;
  /** Regular files: the directory their unnamed copy is made in (default: the target's); `remake` after it was found gone. */
  unnamedIn?: (remake: boolean) => Promise<string>;
  /** The source's inode flags, when the caller has read them (read here otherwise): the copy takes some (copyMeta). */
  flags?: number;
}

interface Ends {
  fs: BranchFs;
  src: Branch;
  srcRel: string;
  dst: Branch;
  tmp: string;
}

const typeOf = (st: BranchStat) => Number(st.mode) & S_IFMT;

/** Copies `srcRel` on `src` to `dstDir/name` on `dst`; returns false, changing nothing, when that name exists by the time the copy is ready. */
export async function copyNode(sys: Syscalls, src: Branch, srcRel: string, dst: Branch, dstDir: string, name: string, opts: CopyNodeOptions): Promise<boolean> {
  const fs = new BranchFs(sys);
  const st = await fs.lstat(src, srcRel);
  // Only regular files and directories have inode flags the copy takes (inodeFlags opens nothing else).
  const flagged = typeOf(st) === S_IFREG || typeOf(st) === S_IFDIR;
  opts = { ...opts, flags: opts.flags ?? (flagged ? await fs.inodeFlags(src, srcRel) : 0) };
  const place = opts.temp ?? besideTarget;
  const final = joinRel(dstDir, name);
  const via = async (spot: TempSpot) => copyVia({ fs, src, srcRel, dst, tmp: spot.rel }, st, spot, final, opts);
  return keepingParentTimes(fs, dst, dstDir, async () => {
    if (typeOf(st) === S_IFREG && !noTmpfile.has(dst)) {
      const published = await copyUnnamed(fs, src, srcRel, dst, dstDir, final, opts);
      if (published !== undefined) return published;
      noTmpfile.add(dst);
    }
    try {
      return await via(await place(dstDir, false));
    } catch (err) {
      // The work directory is on another filesystem than the target: build beside it instead.
      if (!hasErrno(err, 'EXDEV')) throw err;
      return via(await place(dstDir, true));
    }
  });
}

/** Branches whose filesystem answered that it has no unnamed files: their copies take a temp name. */
const noTmpfile = new WeakSet<Branch>();
/** openTmpfile's answers for "this filesystem has no unnamed files". */
const NO_TMPFILE: ErrnoName[] = ['ENOTSUP', 'EISDIR'];

/**
 * Whether the copy was published (false: the name exists); undefined when the filesystem has no
 * O_TMPFILE. The unnamed file is made in the work directory (`unnamedIn`), as overlayfs does, so it
 * takes no default ACL or setgid group from the target directory that its source does not have.
 */
async function copyUnnamed(
  fs: BranchFs,
  src: Branch,
  srcRel: string,
  dst: Branch,
  dstDir: string,
  final: string,
  opts: CopyNodeOptions,
): Promise<boolean | undefined> {
  const to = await openUnnamed(fs, dst, dstDir, opts);
  if (to === undefined) return undefined;
  try {
    await fillFile(fs, src, srcRel, to.fd, opts);
    return await linkUnnamed(fs, to.fd, dst, final);
  } catch (err) {
    // The work directory is on another filesystem than the target (one mounted inside the branch).
    if (!hasErrno(err, 'EXDEV') || to.dir === dstDir) throw err;
  } finally {
    await closeFd(to.fd);
  }
  return copyUnnamed(fs, src, srcRel, dst, dstDir, final, { ...opts, unnamedIn: undefined });
}

async function openUnnamed(fs: BranchFs, dst: Branch, dstDir: string, opts: CopyNodeOptions): Promise<{ fd: number; dir: string } | undefined> {
  const { unnamedIn } = opts;
  const inDir = async (dir: string) => ({ fd: await fs.openTmpfile(dst, dir, PRIVATE), dir });
  try {
    if (!unnamedIn) return await inDir(dstDir);
    // ENOENT: the work directory was removed behind the union's back.
    return await inDir(await unnamedIn(false)).catch(async (err) => (hasErrno(err, 'ENOENT') ? inDir(await unnamedIn(true)) : Promise.reject(err)));
  } catch (err) {
    if (hasErrno(err, ...NO_TMPFILE)) return undefined;
    throw err;
  }
}

async function linkUnnamed(fs: BranchFs, fd: number, dst: Branch, final: string): Promise<boolean> {
  try {
    await fs.linkFd(fd, dst, final);
    return true;
  } catch (err) {
    if (hasErrno(err, 'EEXIST')) return false;
    throw err;
  }
}

async function copyVia(ends: Ends, st: BranchStat, spot: TempSpot, final: string, opts: CopyNodeOptions): Promise<boolean> {
  try {
    await build(ends, st, opts);
    const published = await publish(ends.fs, ends.dst, ends.tmp, final);
    if (!published) await discard(ends, st);
    return published;
  } catch (err) {
    await discard(ends, st);
    throw err;
  } finally {
    await spot.release();
  }
}

function build(ends: Ends, st: BranchStat, opts: CopyNodeOptions): Promise<void> {
  switch (typeOf(st)) {
    case S_IFREG:
      return buildFile(ends, opts);
    case S_IFDIR:
      return buildDir(ends, st, opts);
    case S_IFLNK:
      return buildSymlink(ends, st);
    default:
      return buildSpecial(ends, st);
  }
}

async function buildFile({ fs, src, srcRel, dst, tmp }: Ends, opts: CopyNodeOptions): Promise<void> {
  const to = await fs.open(dst, tmp, O_WRONLY | O_CREAT | O_EXCL, PRIVATE);
  try {
    await fillFile(fs, src, srcRel, to, opts);
  } finally {
    await closeFd(to);
  }
}

/** Gives the empty file open as `to` the data and metadata of the regular file `srcRel`. */
async function fillFile(fs: BranchFs, src: Branch, srcRel: string, to: number, opts: CopyNodeOptions): Promise<void> {
  // O_NONBLOCK: if the source was swapped for a FIFO since lstat, return at once instead of blocking
  // (a symlink is never followed: branchFs).
  const from = await fs.open(src, srcRel, O_RDONLY | O_NONBLOCK);
  try {
    const st = await fstat(from);
    if (!st.isFile()) throw errnoException('EAGAIN', 'copyup', src.real(srcRel));
    const length = opts.truncateTo !== undefined && opts.truncateTo < st.size ? opts.truncateTo : st.size;
    await copyData(fs.sys, from, to, length);
    await copyMeta(fdSource(fs.sys, from), st, fdTarget(fs.sys, to), opts.flags);
    if (opts.durable && opts.truncateTo !== 0n) await fsyncFd(to);
  } finally {
    await closeFd(from);
  }
}

async function buildDir({ fs, src, srcRel, dst, tmp }: Ends, st: BranchStat, opts: CopyNodeOptions): Promise<void> {
  await fs.mkdir(dst, tmp, PRIVATE_DIR);
  await copyMeta(pathSource(fs, src, srcRel), st, pathTarget(fs, dst, tmp, 'dir'), opts.flags);
}

async function buildSymlink({ fs, src, srcRel, dst, tmp }: Ends, st: BranchStat): Promise<void> {
  await fs.symlink(await fs.readlink(src, srcRel), dst, tmp);
  await copyMeta(pathSource(fs, src, srcRel), st, pathTarget(fs, dst, tmp, 'symlink'));
}

/** FIFOs, sockets, char and block devices: a node of the same type and device number. */
async function buildSpecial({ fs, src, srcRel, dst, tmp }: Ends, st: BranchStat): Promise<void> {
  await fs.mknod(dst, tmp, typeOf(st) | PRIVATE, st.rdev);
  await copyMeta(pathSource(fs, src, srcRel), st, pathTarget(fs, dst, tmp, 'special'));
}

/**
 * RENAME_NOREPLACE so a name that appeared meanwhile (made by another process, or a directory a concurrent
 * cloneDirs created) is never replaced: false then. Filesystems without the flag (EINVAL: FUSE 2 and
 * older NFS branches) get a check-then-rename, whose small window is the best they allow.
 */
async function publish(fs: BranchFs, dst: Branch, tmp: string, final: string): Promise<boolean> {
  try {
    await fs.rename(dst, tmp, dst, final, RENAME_NOREPLACE);
    return true;
  } catch (err) {
    if (hasErrno(err, 'EEXIST')) return false;
    if (!hasErrno(err, 'EINVAL')) throw err;
  }
  if (await fs.lstatOrNull(dst, final)) return false;
  await fs.rename(dst, tmp, dst, final);
  return true;
}

/** Best effort: the error being reported is the one that made the copy fail, not a cleanup problem. */
async function discard({ fs, dst, tmp }: Ends, st: BranchStat): Promise<void> {
  await (typeOf(st) === S_IFDIR ? fs.rmdir(dst, tmp) : fs.unlink(dst, tmp)).catch(() => undefined);
}
