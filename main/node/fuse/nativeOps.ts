/**
 * What the native backend understands beyond FuseOps (additive: plain FuseOps work unchanged).
 */
import type { BranchStat } from '../sys/statBatch.ts';
import type { FuseOps, OpenedHandle, RequestContext } from './ops.ts';

export interface DirectIoOps extends FuseOps {
  /**
   * Like `open`, but may hand over the branch descriptor: reads and writes on that handle then run as
   * pread/pwrite on the FUSE thread and never reach `read`/`write` (nor `flush`, which has nothing to
   * add to writes made on the branch file). The engine must keep `fd` open and
   * pointing at the same file until `release(fh)` is called (pwrite on an O_APPEND descriptor ignores
   * the offset the kernel sends). Return no `fd` to keep serving the handle in JS.
   */
  openHandle?(path: string, flags: number): Promise<DirectHandle>;
  /** `create` with the same option. */
  createHandle?(path: string, mode: number, flags: number, ctx: RequestContext): Promise<DirectHandle>;
  /**
   * The backend removed the directory `path` itself, which it does only for one the engine published
   * (ResolvedDirs.putDir): what the engine keeps of it and below it goes too. Posted: nothing waits.
   */
  forgetDir?(path: string): Promise<void>;
  /**
   * A hard-linked file open by `path`, one of its names, lost that name and keeps another, `to`: the
   * engine's handles that went by `path` go by `to`, so that a later unlink of `to` while they are open
   * hides the file instead of showing its hidden name (native/fuse/src/requests.cc, Repath). Held: it
   * reaches the engine before any request made after it.
   */
  repathed?(path: string, to: string): Promise<void>;
  /**
   * The backend made a copy of the published directory `path` on the branch whose root descriptor is
   * `root`, above every copy it merged (native/fuse/src/copy_up.h, MakeParentNatively), and its
   * publication merges it already: what the engine keeps of the directory gains it too. Posted.
   */
  grewDir?(path: string, root: number): Promise<void>;
  /**
   * The backend copied the file `path` up itself (native/fuse/src/copy_up.h), from the branch object
   * `from` to `to` on the branch whose root descriptor is `root`, and moved the handles it keeps there
   * (unless `keptMoved` is false: one could not be reopened): the engine's own handles on the old copy
   * follow, the new copy keeps the old one's inode number, and the copy-up counts. Posted: nothing
   * waits, and it reaches the engine before any request made after it.
   */
  copiedUp?(path: string, from: BranchObject, to: BranchObject, root: number, keptMoved: boolean): Promise<void>;
  /**
   * The backend resolved and published the directory `path` itself, from its parent's publication, as
   * publication number `gen` (native/fuse/src/publish_dir.h): `roots`, the branch root descriptors of
   * its merged copies, top-down, and `stat`, its top copy's. The engine holds it as its own resolution
   * while that publication stands (ResolvedDirs.publishedFor). Held back with others: it reaches the
   * engine before any request made after it.
   */
  publishedDir?(path: string, roots: number[], stat: BranchStat, gen: number): Promise<void>;
  /**
   * Copy `path` up, as a change of its metadata would, where the backend cannot (a copy-up policy it
   * does not decide, moveonenospc), for a change the backend then makes on the copy itself (inode
   * flags: native/fuse/src/attr_ops.cc, FileFlags).
   */
  writable?(path: string): Promise<void>;
  /**
   * An inode-flags ioctl (`cmd`, with `arg` as ioctl(2) takes it; `set`: it changes them) on the file
   * removed while the engine holds it open that `path`, its hidden name, names: resolves to `arg` as
   * the call left it (native/fuse/src/attr_ops.cc, FileFlags, for handles the backend does not hold).
   */
  fileFlags?(path: string, cmd: number, arg: Buffer, set: boolean): Promise<Buffer>;
}

/** A branch object, by its lstat's (st_dev, st_ino). */
export interface BranchObject {
  dev: bigint;
  ino: bigint;
}

export interface DirectHandle extends OpenedHandle {
  /**
   * With `fd`: the inode number getattr reports for the file. getattr on the handle is then answered
   * natively as fstat(fd) with this number, without reaching `getattr`.
   */
  ino?: bigint;
  /**
   * With `fd`: the file's branch takes changes, so chmod, chown, truncate and utimens on the handle run
   * natively as fchmod, fchown, ftruncate and futimens on `fd`, without reaching the ops (tar sets
   * times, owner and mode of every file it extracts through its descriptor).
   */
  attrs?: boolean;
}
