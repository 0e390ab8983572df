/**
 * Strata's own FUSE operation table: what the union engine implements and what every backend (Strata's
 * libfuse 3 addon, and fuse-native as the fallback) calls, shaped after libfuse 3's high-level API. The
 * values it passes (stat, statfs, times) are in sys/fsValues.ts.
 *
 * Errors: an op rejects with an object carrying a positive `errno` (Node's fs errors do, negated; use
 * `errnoOf()` from sys/errno.ts); the backend turns it into -errno for the kernel. Paths are
 * union-relative ('/a/b').
 */
import { DEFAULT_PASSTHROUGH, type PassthroughMode } from '../../common/passthrough.ts';
import type { CreateFunction } from '../../common/policies/types.ts';
import type { FuseStat, FuseStatfs, FuseTime } from '../sys/fsValues.ts';

export interface RequestContext {
  uid: number;
  gid: number;
  pid: number;
  /** To apply to a new entry's mode, unless its directory has a default ACL (the native backend's kernel sends modes unmasked). */
  umask: number;
}

export interface DirEntry {
  name: string;
  /** Optional: backends may pass it to the kernel (readdirplus) to save lookups. */
  stat?: FuseStat;
}

export interface FuseOps {
  getattr(path: string, fh?: number): Promise<FuseStat>;
  readlink(path: string): Promise<string>;
  mknod(path: string, mode: number, rdev: bigint, ctx?: RequestContext): Promise<void>;
  mkdir(path: string, mode: number, ctx?: RequestContext): Promise<void>;
  unlink(path: string): Promise<void>;
  rmdir(path: string): Promise<void>;
  symlink(target: string, path: string, ctx?: RequestContext): Promise<void>;
  rename(from: string, to: string, flags: number): Promise<void>;
  link(from: string, to: string): Promise<void>;
  chmod(path: string, mode: number, fh?: number): Promise<void>;
  chown(path: string, uid: number, gid: number, fh?: number): Promise<void>;
  truncate(path: string, size: bigint, fh?: number): Promise<void>;
  utimens(path: string, atime: FuseTime, mtime: FuseTime, fh?: number): Promise<void>;
  /** Returns the file handle (a positive integer the engine chooses). */
  open(path: string, flags: number): Promise<number>;
  /** `flags` is undefined on backends that do not pass them (fuse-native). */
  create(path: string, mode: number, flags: number | undefined, ctx?: RequestContext): Promise<number>;
  read(path: string, fh: number, buf: Buffer, length: number, position: number): Promise<number>;
  write(path: string, fh: number, buf: Buffer, length: number, position: number): Promise<number>;
  flush(path: string, fh: number): Promise<void>;
  release(path: string, fh: number): Promise<void>;
  fsync(path: string, fh: number, datasync: boolean): Promise<void>;
  fallocate?(path: string, fh: number, mode: number, offset: bigint, length: bigint): Promise<void>;
  /** lseek(2)'s SEEK_DATA (3) or SEEK_HOLE (4) on the handle's file: the offset found. */
  lseek?(path: string, fh: number, offset: bigint, whence: number): Promise<bigint>;
  opendir(path: string): Promise<number>;
  readdir(path: string, fh: number): Promise<DirEntry[]>;
  releasedir(path: string, fh: number): Promise<void>;
  fsyncdir(path: string, datasync: boolean): Promise<void>;
  statfs(path: string): Promise<FuseStatfs>;
  access(path: string, mode: number): Promise<void>;
  setxattr(path: string, name: string, value: Buffer, flags: number): Promise<void>;
  /** Rejects with ENODATA when absent. */
  getxattr(path: string, name: string): Promise<Buffer>;
  listxattr(path: string): Promise<string[]>;
  removexattr(path: string, name: string): Promise<void>;
}

/**
 * Descriptor handed to a backend that can serve reads/writes natively (the native backend). Backends
 * without that ignore it and call `read`/`write`.
 */
export interface OpenedHandle {
  fh: number;
  /** Branch file descriptor the backend may use directly, if the engine allows it. */
  fd?: number;
}

export interface MountOptions {
  /** Shown as the source in mountinfo; Strata uses `strata:<name>`. */
  fsname: string;
  /** mountinfo type becomes `fuse.<subtype>`; always 'strata'. */
  subtype: string;
  /** Kernel attribute/entry cache timeouts in seconds (0 disables). */
  attrTimeout: number;
  entryTimeout: number;
  negativeTimeout: number;
  /** Keep the page cache across opens (kernel_cache/auto_cache). */
  kernelCache: boolean;
  /**
   * Let the kernel read and write files open on a branch the union writes in place itself (FUSE
   * passthrough: Linux 6.9+, root only; the native backend decides per file, native/fuse/src/nodes.h).
   */
  passthrough: boolean;
  /**
   * Take requests through io_uring where the kernel offers it (FUSE over io_uring: Linux 6.14+, and
   * only while the fuse module's enable_uring parameter is on; native/fuse/src/ring_loop.h).
   */
  ioUring: boolean;
  /**
   * Keep one reader taking requests without sleeping for a few tens of microseconds after each, so a
   * busy client's next one costs no wake-up (native/fuse/src/spin_reader.h).
   */
  spin: boolean;
  allowOther: boolean;
  /** Let the kernel check permissions against the returned modes (default_permissions). */
  defaultPermissions: boolean;
  /** Kernel mount flags libfuse passes on (`ro`, `noexec`, ...). */
  kernelFlags?: string[];
  /**
   * Where the backend watches the branches: a change made directly in one altered what directory
   * `rel` merges (a copy, whiteout or opaque marker came or went). The engine drops what it cached.
   */
  onBranchChange?: (rel: string) => void;
}

export interface MountedFs {
  /** Clean unmount (no shell, no lazy detach). Rejects with errno EBUSY when busy. */
  unmount(): Promise<void>;
  /** Ask the kernel to drop cached attributes/data for a path (no-op where unsupported). */
  invalidate?(path: string): void;
  /** Ask the kernel to drop every attribute it may hold (the union was reconfigured). */
  invalidateAll?(): Promise<void>;
  /** Requests the backend answered itself, never reaching the ops (cumulative since mount). */
  servedNatively?(): ServedNatively;
  /**
   * Every request the backend is serving, including those it serves without the ops: a native getattr
   * on a branch that is a stuck mount blocks too.
   */
  requests?(): StandingRequest[];
  /**
   * Settles once the kernel has let go of the mount (the connection ended): after unmount(), or an
   * unmount from outside that left nothing open. Absent where the backend cannot tell.
   */
  readonly ended?: Promise<void>;
}

/** A request taken and not answered yet. */
export interface StandingRequest {
  /** When it was taken, or last made headway (ms since the epoch). */
  since: number;
  /** The block device ("major:minor") it waits on (an fsync writing back), if any. */
  disk?: string;
}

export interface ServedNatively {
  ops: Record<string, number>;
  /** OpStats.served. */
  served: Record<string, number>;
  bytesRead: number;
  bytesWritten: number;
}

/** What a backend can and cannot do, so the engine and tests can adapt instead of guessing. */
export interface BackendCapabilities {
  name: 'fuse-native' | 'native';
  /** The caller's uid/gid/pid/umask reach the ops. */
  callerContext: boolean;
  /** utimens gets distinct atime and mtime, with UTIME_OMIT. */
  exactUtimens: boolean;
  /** create receives open flags. */
  createFlags: boolean;
  mknod: boolean;
  /** 64-bit ino/dev/statfs counters reach the kernel unchanged. */
  wideStat: boolean;
  /** Keeps kernel-cached attributes true (hard-link siblings, ACLs, branch changes, reconfiguration). */
  coherentCache: boolean;
  renameFlags: boolean;
}

export interface FuseBackend {
  readonly capabilities: BackendCapabilities;
  /** Given to the union at construction (UnionDeps.resolved); fed before and after mount(). */
  readonly resolved: ResolvedDirs;
  mount(mountpoint: string, ops: FuseOps, options: MountOptions): Promise<MountedFs>;
}

/**
 * What the engine tells a backend that answers some requests without it (the native backend's
 * getattr, native/fuse/src/dir_attrs.h): the directories the resolver holds, published while it holds
 * them and withdrawn on every namespace change, and the union inode number of each branch object.
 */
export interface ResolvedDirs {
  /**
   * `roots`: the branch root descriptor of each of the directory's merged copies, top-down. The backend
   * reaches `rel` beneath them only, and relies on them staying open for the worker's life.
   */
  putDir(rel: string, roots: number[], ttlMs: number): void;
  /** `rel` and everything below it. */
  dropDirs(rel: string): void;
  /**
   * Milliseconds left to the backend's own publication number `gen` of `rel` (DirectIoOps.publishedDir),
   * 0 once it no longer stands (withdrawn, replaced or expired).
   */
  publishedFor(rel: string, gen: number): number;
  numberIno(dev: bigint, branchIno: bigint, ino: bigint): void;
  /**
   * The union inode number the backend gives this branch object (numbering it if new), when the
   * backend numbers objects itself; undefined leaves it to the engine. One table for both sides, so an
   * object a native lookup met first never gets a second number.
   */
  numberFor(dev: bigint, branchIno: bigint): bigint | undefined;
  /** What the backend may do on the union's branches by itself (a standing setting, said again on reconfiguration). */
  branchModes(modes: BranchModes): void;
  /**
   * The handles the backend opened and keeps itself, closed by it at release. The engine asks for them
   * where it must know every open file.
   */
  handles(): NativeHandle[];
  /**
   * Puts `fd` (open on a file's new copy, beneath branch root `root`) behind a kept handle's descriptor
   * number, as repointHandles does for the engine's own. False when the handle was released meanwhile.
   */
  repointHandle(fh: number, fd: number, root: number): boolean;
  /**
   * Whether the kernel reads and writes the file of handle `fh` (kept or the engine's own) itself (FUSE
   * passthrough): its old copy, whatever descriptor stands behind the handle after a copy-up.
   */
  passedThrough(fh: number): boolean;
}

export interface NativeHandle {
  fh: number;
  /** The branch file's descriptor, the backend's. */
  fd: number;
  /** The branch root it was opened beneath. */
  root: number;
  /** Its union path, following renames through the union. */
  path: string;
  flags: number;
  /** ms since the epoch. */
  openedAt: number;
  /** The union inode number the kernel knows the file by. */
  ino: bigint;
}

/** Branches named by their root descriptors. */
export interface BranchModes {
  /**
   * Those the union writes in place: their handles may change attributes on the descriptor
   * (DirectHandle.attrs), and a file or empty directory served from one may be changed or removed by
   * the backend the way the engine would; a hard link elsewhere is its own inode per name
   * (FuseStat.ownInode).
   */
  inPlace: number[];
  /** Of those, the ones a whiteout may be made in (rw, not nc), where a removal must hide a lower copy. */
  creatable: number[];
  /**
   * Whether the backend may open files, make names and change attributes by itself at all (opens in
   * published directories, kept by the backend: `handles`): not while moveonenospc may move a file
   * between branches.
   */
  opens: boolean;
  /** Every branch top-down, with its minimum free space in bytes (its own, else the union's). */
  order: { root: number; minFreeSpace: number }[];
  /**
   * Each create function's policy, as its setting's canonical text (policies/setting.ts). With `opens`,
   * the backend may make a new name itself (create, mkdir, mknod, symlink) where the policy is aufs'
   * tdp and takes the top copy of a published parent (native/fuse/src/tdp_rule.h), or one of mergerfs'
   * that picks a single branch (mergerfs_rule.h), as the engine's newEntry would make it.
   */
  create: Partial<Record<CreateFunction, string>>;
  /**
   * Whether the copy-up policy is tdp. With `opens`, the backend may then remove a name served from a
   * branch that cannot change by itself, where tdp puts its whiteout on a branch above that holds the
   * parent, in the parent's publication.
   */
  copyupTdp: boolean;
  /**
   * This union's work directory, relative to each branch root (union/workDirs.ts), the name its temp
   * entries start with, and the roots where what a killed worker left there is cleared: there the
   * backend may build a directory that tdp needs made before a new name, whiteout or copy-up.
   */
  work: { dir: string; tempPrefix: string; swept: number[] };
  /** Which files the backend may hand to the kernel through FUSE passthrough (common/passthrough.ts). */
  passthrough: PassthroughMode;
}

/** Before the engine says anything: nothing is done natively. */
export const NO_BRANCH_MODES: BranchModes = {
  inPlace: [],
  creatable: [],
  opens: false,
  order: [],
  create: {},
  copyupTdp: false,
  work: { dir: '', tempPrefix: '', swept: [] },
  passthrough: DEFAULT_PASSTHROUGH,
};

/** For a backend that answers nothing by itself (fuse-native), and for a union never mounted. */
export const NO_RESOLVED_DIRS: ResolvedDirs = {
  putDir: () => undefined,
  dropDirs: () => undefined,
  publishedFor: () => 0,
  numberIno: () => undefined,
  branchModes: () => undefined,
  numberFor: () => undefined,
  handles: () => [],
  repointHandle: () => false,
  passedThrough: () => false,
};
