/**
 * Open files. Opening for write a file that lives on a read-only branch copies it up first (as
 * overlayfs does), so every handle points at the copy it will change. Reads and writes go straight to
 * the branch descriptor.
 */
import fsCb from 'node:fs';
import { promisify } from 'node:util';
import type { DirectHandle } from '../../fuse/native-ops.ts';
import type { RequestContext } from '../../fuse/ops.ts';
import type { UnionCore } from '../core.ts';
import type { BranchStat } from '../../sys/statBatch.ts';
import { EBADF, EDQUOT, EISDIR, ENOSPC, closeFd, errnoIs, fail, fstat, readFd, writeFd } from '../fsx.ts';
import { moveAcross } from '../copyup.ts';
import { placeWithPolicy } from '../placement.ts';
import { newEntry } from './newEntry.ts';

const { O_ACCMODE = 3, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_NOCTTY } = fsCb.constants as Record<string, number>;
const O_DIRECT = 0o40000;
const fsync = promisify(fsCb.fsync);
const fdatasync = promisify(fsCb.fdatasync);

/** The kernel decides write offsets (O_APPEND included) and caching; the branch fd must not second-guess it. */
const branchFlags = (flags: number) => flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_APPEND | O_DIRECT);
const writes = (flags: number) => (flags & O_ACCMODE) === O_WRONLY || (flags & O_ACCMODE) === O_RDWR;

export async function open(core: UnionCore, rel: string, flags: number): Promise<number> {
  const node = await core.node(rel);
  if (node.isDir && writes(flags)) fail(EISDIR);
  const truncating = (flags & O_TRUNC) !== 0;
  const { branch } = writes(flags) || truncating ? await core.ensureWritable(rel, truncating ? 0n : undefined) : { branch: core.branches[node.top] };
  const fd = await core.fs.open(branch, rel, branchFlags(flags));
  return core.handles.add({ fd, branch, rel, flags, openedAt: core.now() });
}

/** The new file is opened, given to the caller and fstat'ed in one pool job (fsx openStat). */
async function createFile(core: UnionCore, rel: string, mode: number, flags: number | undefined, ctx?: RequestContext): Promise<{ fh: number; stat: BranchStat }> {
  const open = flags ?? O_RDWR;
  return newEntry(core, rel, 'create', ctx, async ({ branch, owner, owned }) => {
    const { fd, stat } = await core.fs.openStat(branch, rel, branchFlags(open) | O_CREAT | O_EXCL, mode, owner);
    owned();
    return { fh: core.handles.add({ fd, branch, rel, flags: open, openedAt: core.now() }), stat };
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
  return { fh, fd: file.fd, ino: core.ino(known ?? (await fstat(file.fd))), attrs: file.branch.modifiable };
}

function handle(core: UnionCore, fh: number) {
  return core.handles.get(fh) ?? fail(EBADF);
}

export async function read(core: UnionCore, fh: number, buf: Buffer, length: number, position: number): Promise<number> {
  const n = await readFd(handle(core, fh).fd, buf, length, position);
  core.counters.bytesRead += n;
  return n;
}

export async function write(core: UnionCore, fh: number, buf: Buffer, length: number, position: number): Promise<number> {
  const file = handle(core, fh);
  let n: number;
  try {
    n = await writeFd(file.fd, buf, length, position);
  } catch (err) {
    if (core.config.moveOnEnospc === false || !(errnoIs(err, ENOSPC) || errnoIs(err, EDQUOT))) throw err;
    await moveOnEnospc(core, fh, core.config.moveOnEnospc, err);
    n = await writeFd(file.fd, buf, length, position); // once: a second ENOSPC is the caller's answer
  }
  core.counters.bytesWritten += n;
  return n;
}

/**
 * mergerfs' moveonenospc: move the file to the branch the given create policy picks (among the others)
 * and reopen the handle there. Any failure leaves the file where it was and reports the original error.
 */
async function moveOnEnospc(core: UnionCore, fh: number, policy: string, original: unknown): Promise<void> {
  const file = handle(core, fh);
  const from = core.branches.indexOf(file.branch);
  const placement = await placeWithPolicy(core.placementDeps(), file.rel, policy);
  const target = placement.result.ok ? placement.result.branches.find((b) => b !== from) : undefined;
  if (target === undefined || from < 0) throw original;
  const dst = core.branches[target];
  await core.ensureParent(file.rel, target);
  await moveAcross({ sys: core.sys }, file.branch, dst, file.rel).catch(() => { throw original; });
  const fd = await core.fs.open(dst, file.rel, branchFlags(file.flags) & ~O_TRUNC);
  await closeFd(file.fd).catch(() => undefined);
  Object.assign(file, { fd, branch: dst });
  core.invalidate(file.rel);
}

export async function flush(): Promise<void> {
  // Every write already reached the branch file; close(2) of a dup has nothing to add.
}

export async function release(core: UnionCore, fh: number): Promise<void> {
  const file = core.handles.remove(fh);
  if (file) await closeFd(file.fd);
}

export async function fsyncFile(core: UnionCore, fh: number, datasync: boolean): Promise<void> {
  const fd = handle(core, fh).fd;
  await (datasync ? fdatasync(fd) : fsync(fd));
}

export async function fallocate(core: UnionCore, fh: number, mode: number, offset: bigint, length: bigint): Promise<void> {
  await core.sys.fallocate(handle(core, fh).fd, mode, offset, length);
}
