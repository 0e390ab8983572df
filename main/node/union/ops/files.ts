/**
 * Open files. Opening for write a file that lives on a read-only branch copies it up first (as
 * overlayfs does), so every handle points at the copy it will change. Reads and writes go straight to
 * the branch descriptor.
 */
import fsCb from 'node:fs';
import { promisify } from 'node:util';
import type { DirectHandle } from '../../fuse/nativeOps.ts';
import type { RequestContext } from '../../fuse/ops.ts';
import type { UnionCore } from '../core.ts';
import type { BranchStat } from '../../sys/statBatch.ts';
import type { Branch } from '../branchSet.ts';
import { EBADF, EISDIR, ENXIO, ESTALE, fail, hasErrno } from '../../sys/errno.ts';
import { closeFd, fstat, readFd, writeFd } from '../fdCalls.ts';
import { moveAcross } from '../copyup.ts';
import { type OpenFile, branchFlags, changeableHeld, indexOfBranch, openForCaller, reopenForCaller } from '../handles.ts';
import { placeWithPolicy } from '../placement.ts';
import { repointHandles } from '../repointHandles.ts';
import { newEntry } from './newEntry.ts';
import { waitsOnDiskOf } from '../headway.ts';

const { O_ACCMODE = 3, O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_DIRECTORY } = fsCb.constants as Record<string, number>;
const fsync = promisify(fsCb.fsync);
const fdatasync = promisify(fsCb.fdatasync);

const writes = (flags: number) => (flags & O_ACCMODE) === O_WRONLY || (flags & O_ACCMODE) === O_RDWR;

export async function open(core: UnionCore, rel: string, flags: number): Promise<number> {
  const held = core.unlinkedOpen(rel);
  if (held) return reopen(core, held, flags);
  // The kernel sends OPEN only for a name it holds as present. Gone from every branch behind the
  // union's back (before the invalidation arrived), that name is stale: ESTALE makes the kernel look it
  // up again and retry, so an O_CREAT open then creates it, where ENOENT would fail the create.
  const node = (await core.resolver.lookup(rel)) ?? fail(ESTALE);
  if (node.isDir && writes(flags)) fail(EISDIR);
  const truncating = (flags & O_TRUNC) !== 0;
  const { branch } = writes(flags) || truncating ? await core.makeWritable(node, truncating ? 0n : undefined) : { branch: core.branches[node.top] };
  const fd = await openForCaller(core.fs, branch, rel, flags);
  // A copy-up keeps the number (InodeTable.inherit).
  return core.handles.add({ fd, branch, rel, flags, openedAt: core.now(), ino: core.ino(node.stat) });
}

/**
 * A file removed while the engine holds it open, opened again by the hidden name it goes by (through
 * its /proc/self/fd link), as on a local filesystem: a new handle of the same branch file, for writing
 * only where that can change it (changeableHeld).
 */
async function reopen(core: UnionCore, held: OpenFile, flags: number): Promise<number> {
  if (writes(flags) || flags & O_TRUNC) changeableHeld(held);
  const fd = await reopenForCaller(held.fd, flags);
  return core.handles.add({ fd, branch: held.branch, rel: held.rel, flags, openedAt: core.now(), ino: held.ino });
}

/** The new file is opened, given to the caller and fstat'ed in one pool job (native/sys openStat). */
async function createFile(
  core: UnionCore,
  rel: string,
  mode: number,
  flags: number | undefined,
  ctx?: RequestContext,
): Promise<{ fh: number; stat: BranchStat }> {
  const open = flags ?? O_RDWR;
  return newEntry(core, rel, 'create', ctx, async ({ branch, owner, owned }) => {
    const { fd, stat } = await core.fs.openStat(branch, rel, branchFlags(open) | O_CREAT | O_EXCL, mode, owner, ctx?.umask);
    owned();
    return { fh: core.handles.add({ fd, branch, rel, flags: open, openedAt: core.now(), ino: core.ino(stat) }), stat };
  });
}

export async function create(core: UnionCore, rel: string, mode: number, flags: number | undefined, ctx?: RequestContext): Promise<number> {
  return (await createFile(core, rel, mode, flags, ctx)).fh;
}

export async function createHandle(core: UnionCore, rel: string, mode: number, flags: number, ctx: RequestContext): Promise<DirectHandle> {
  const { fh, stat } = await createFile(core, rel, mode, flags, ctx);
  return direct(core, fh, stat);
}

/**
 * The native backend may serve reads, writes and getattr of a handle itself, on the branch descriptor,
 * without entering JS. Not while moveonenospc is on: that must be able to move the file and swap the
 * descriptor. One fstat here (none when the caller has the stat) saves the getattr round trip libfuse
 * makes after every open and create.
 */
export async function direct(core: UnionCore, fh: number, known?: BranchStat): Promise<DirectHandle> {
  const file = core.handles.get(fh);
  if (!file || core.config.moveOnEnospc !== false) return { fh };
  const stat = known ?? (await fstat(file.fd));
  // A hard-linked file copied up later gets a new number (UnionCore.copyUpTo): JS answers its fstat.
  const ino = file.branch.modifiable || stat.nlink < 2n ? core.ino(stat) : undefined;
  return { fh, fd: file.fd, ino, attrs: file.branch.modifiable };
}

function handle(core: UnionCore, fh: number) {
  return core.handles.get(fh) ?? fail(EBADF);
}

export async function read(core: UnionCore, fh: number, buf: Buffer, length: number, position: number): Promise<number> {
  const n = await readFd(handle(core, fh).fd, buf, length, position);
  core.counters.bytesRead += n;
  return n;
}

/** With moveonenospc on, a change of a file's data waits while the file moves (MoveGate). */
function changingData<T>(core: UnionCore, file: OpenFile, job: () => Promise<T>): Promise<T> {
  return core.config.moveOnEnospc === false ? job() : core.moves.write(file.rel, job);
}

export async function write(core: UnionCore, fh: number, buf: Buffer, length: number, position: number): Promise<number> {
  const file = handle(core, fh);
  let on = file.branch;
  let n: number;
  try {
    n = await changingData(core, file, () => {
      on = file.branch;
      return writeFd(file.fd, buf, length, position);
    });
  } catch (err) {
    const policy = core.config.moveOnEnospc;
    if (policy === false || !hasErrno(err, 'ENOSPC', 'EDQUOT')) throw err;
    await moveOnEnospc(core, file, on, policy, BigInt(position + length), err);
    // Once: a second ENOSPC is the caller's answer.
    n = await changingData(core, file, () => writeFd(file.fd, buf, length, position));
  }
  core.counters.bytesWritten += n;
  return n;
}

/**
 * mergerfs' moveonenospc: move the file to the branch the given create policy picks among the others, if
 * it has room for the whole file with this write (up to `end`), and move every handle of the file along
 * (repointHandles), with the file's writes held meanwhile (MoveGate), so no byte goes to the original once
 * it is copied. One name of a hard link is not moved: its other names would keep the old data. Any failure
 * leaves the file and its handles where they were and reports the original error.
 */
async function moveOnEnospc(core: UnionCore, file: OpenFile, failedOn: Branch, policy: string, end: bigint, original: unknown): Promise<void> {
  await core.moves.move(file.rel, async () => {
    if (file.branch !== failedOn) return; // another writer moved it meanwhile
    const from = indexOfBranch(core.branches, file.branch);
    const st = await fstat(file.fd);
    if (from < 0 || st.nlink > 1n) throw original;
    const placement = await placeWithPolicy(core.placementDeps(), file.rel, policy, from);
    const target = placement.result.ok ? await firstWithRoom(core, placement.result.branches, st.size > end ? st.size : end) : undefined;
    if (target === undefined) throw original;
    const dst = core.branches[target];
    try {
      await core.ensureParent(file.rel, target);
      await moveAcross(core.copyupDeps, file.branch, dst, file.rel, () => repointHandles(core.fs, core.handles, file.rel, st, dst));
    } catch {
      // The copy was removed again after the handles moved to it (the unlink failed): back to the original.
      if (file.branch !== failedOn) await repointHandles(core.fs, core.handles, file.rel, await fstat(file.fd), failedOn);
      throw original;
    }
    core.invalidate(file.rel);
  });
}

async function firstWithRoom(core: UnionCore, candidates: number[], bytes: bigint): Promise<number | undefined> {
  for (const b of candidates) {
    const v = await core.fs.statvfs(core.branches[b]).catch(() => null);
    if (v && v.bavail * BigInt(v.frsize || v.bsize) >= bytes) return b;
  }
  return undefined;
}

export async function flush(): Promise<void> {
  // Every write already reached the branch file; close(2) of a dup has nothing to add.
}

export async function release(core: UnionCore, fh: number): Promise<void> {
  const file = core.handles.remove(fh);
  if (!file) return;
  await file.swapping?.catch(() => undefined);
  await closeFd(file.fd);
}

export async function fsyncFile(core: UnionCore, fh: number, datasync: boolean): Promise<void> {
  const fd = handle(core, fh).fd;
  waitsOnDiskOf(fd);
  await (datasync ? fdatasync(fd) : fsync(fd));
}

/**
 * fsync(2) of a directory: of its copies on the branches the union changes, which hold its entries'
 * changes (overlayfs syncs its upper copy). A program that makes a name durable this way (a rename into
 * place, then an fsync of the directory) would otherwise lose it to a crash. A directory gone from
 * every branch has nothing left to sync.
 */
export async function fsyncDir(core: UnionCore, rel: string, datasync: boolean): Promise<void> {
  const node = await core.resolver.lookup(rel);
  if (!node?.isDir) return;
  for (const i of node.layers) {
    const branch = core.branches[i];
    if (!branch.modifiable) continue;
    const fd = await core.fs.open(branch, rel, O_RDONLY | O_DIRECTORY);
    try {
      await (datasync ? fdatasync(fd) : fsync(fd));
    } finally {
      await closeFd(fd);
    }
  }
}

/** lseek(2)'s whence for the next data; node:fs names neither it nor SEEK_HOLE (4). */
const SEEK_DATA = 3;

export async function seek(core: UnionCore, fh: number, offset: bigint, whence: number): Promise<bigint> {
  const fd = handle(core, fh).fd;
  if (whence !== SEEK_DATA) return core.sys.seekHole(fd, offset);
  return (await core.sys.seekData(fd, offset)) ?? fail(ENXIO);
}

export async function fallocate(core: UnionCore, fh: number, mode: number, offset: bigint, length: bigint): Promise<void> {
  const file = handle(core, fh);
  await changingData(core, file, () => core.sys.fallocate(file.fd, mode, offset, length));
}
