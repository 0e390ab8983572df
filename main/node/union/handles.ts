/**
 * Open files of the union: the engine's own, and those the backend opened and keeps itself (KeptHandles),
 * asked for whenever every open file counts. A handle keeps its Branch object, so reconfiguring the union
 * never breaks it.
 */
import type { HandleInfo } from '../../common/contract.ts';
import { constants, open as openPath } from 'node:fs';
import { promisify } from 'node:util';
import type { Branch } from './branchSet.ts';
import type { BranchFs } from './branchFs.ts';
import { EROFS, fail, hasErrno } from '../sys/errno.ts';

const { O_CREAT, O_EXCL, O_NOCTTY, O_APPEND } = constants;
const O_DIRECT = 0o40000;

/** The kernel decides write offsets (O_APPEND included) and caching; the branch fd must not second-guess it. */
export const branchFlags = (flags: number): number => flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_APPEND | O_DIRECT);

/**
 * The branch file `rel` opened for a caller's `flags` (branchFlags). An append-only file (chattr +a)
 * opens for writing only with O_APPEND, which then stays, as the caller asked: every write appends, as
 * the file demands (native/fuse/src/caller_flags.h).
 */
export function openForCaller(fs: BranchFs, b: Branch, rel: string, flags: number): Promise<number> {
  return withAppendIfRequired(flags, (branchOpen) => fs.open(b, rel, branchOpen));
}

const openByPath = promisify(openPath);

/**
 * The file open as `fd` opened again for a caller's `flags`, as openForCaller: through its
 * /proc/self/fd link, the one way to a file with no name left.
 */
export function reopenForCaller(fd: number, flags: number): Promise<number> {
  return withAppendIfRequired(flags, (branchOpen) => openByPath(`/proc/self/fd/${fd}`, branchOpen));
}

async function withAppendIfRequired(flags: number, open: (branchOpen: number) => Promise<number>): Promise<number> {
  try {
    return await open(branchFlags(flags));
  } catch (err) {
    if (!(flags & O_APPEND) || !hasErrno(err, 'EPERM')) throw err;
    return open(branchFlags(flags) | O_APPEND);
  }
}

/**
 * `open`, a file removed while held (UnionCore.unlinkedOpen), for a change: its copy can no longer be
 * copied up, so it is changed only where its branch is written in place (EROFS elsewhere), as the
 * backend's (native/fuse/src/attr_ops.cc).
 */
export function changeableHeld(open: OpenFile): OpenFile {
  return open.branch.modifiable ? open : fail(EROFS);
}

export interface OpenFile {
  fd: number;
  branch: Branch;
  rel: string;
  flags: number;
  openedAt: number;
  /** A dup3 putting a new copy behind `fd` (repointHandles.ts): closing `fd` waits for it. */
  swapping?: Promise<void>;
  /** The backend's handle number, for one it keeps: `fd` is then the backend's, closed at its release. */
  kept?: number;
  /** The union inode number the kernel knows the file by, which names it once it has no name left. */
  ino: bigint;
}

/** The backend's own handles (ResolvedDirs.handles), as open files. */
export interface KeptHandles {
  list(): OpenFile[];
  /** Puts `fd`, open on `to`, behind a kept handle's descriptor; false when it was released. */
  repoint(file: OpenFile, fd: number, to: Branch): boolean;
  /** Whether the kernel reads and writes handle `fh`'s file itself, kept or the engine's (ResolvedDirs). */
  passedThrough(fh: number): boolean;
}

/**
 * Where `b`, the Branch object a handle was opened on, stands in `branches`: by its root, since a
 * reconfiguration that changes a branch's mode or free-space floor gives it a new object. -1: removed.
 */
export const indexOfBranch = (branches: Branch[], b: Branch): number => branches.findIndex((o) => o.root === b.root);

const NONE_KEPT: KeptHandles = { list: () => [], repoint: () => false, passedThrough: () => false };

/** Above the engine's own numbers (native/fuse/src/file_ops.cc). */
const BACKEND_FH = 2 ** 32;

export class HandleTable {
  private files = new Map<number, OpenFile>();
  private nextFh = 1;
  /** Set once the union knows its backend. */
  kept: KeptHandles = NONE_KEPT;

  add(file: OpenFile): number {
    // fuse-native treats fh 0 as "no handle", so numbering starts at 1 and skips 0 on wrap.
    const fh = this.nextFh;
    this.nextFh = this.nextFh >= 0x7fffffff ? 1 : this.nextFh + 1;
    this.files.set(fh, file);
    return fh;
  }

  get(fh: number | undefined): OpenFile | undefined {
    if (fh === undefined) return undefined;
    return this.files.get(fh) ?? (fh >= BACKEND_FH ? this.kept.list().find((f) => f.kept === fh) : undefined);
  }

  /** Every open file, by handle number. */
  private all(): [number, OpenFile][] {
    return [...this.files.entries(), ...this.kept.list().map((f): [number, OpenFile] => [f.kept!, f])];
  }

  remove(fh: number): OpenFile | undefined {
    const f = this.files.get(fh);
    this.files.delete(fh);
    return f;
  }

  /** Is `file`, one of the engine's own, still open (not released)? */
  holds(file: OpenFile): boolean {
    for (const f of this.files.values()) if (f === file) return true;
    return false;
  }

  /** Does the kernel read and write `file`'s copy itself (FUSE passthrough), so that no new copy can reach it? */
  passedThrough(file: OpenFile): boolean {
    if (file.kept !== undefined) return this.kept.passedThrough(file.kept);
    for (const [fh, f] of this.files) if (f === file) return this.kept.passedThrough(fh);
    return false;
  }

  /** Open files known by `rel`. */
  at(rel: string): OpenFile[] {
    return this.all()
      .map(([, f]) => f)
      .filter((f) => f.rel === rel);
  }

  get size(): number {
    return this.files.size + this.kept.list().length;
  }

  /** Handles whose file lives on one of these branches. */
  on(branches: Set<Branch>): OpenFile[] {
    const roots = new Set([...branches].map((b) => b.root));
    return this.all()
      .map(([, f]) => f)
      .filter((f) => roots.has(f.branch.root));
  }

  /** Every handle of the engine's on `rel` (after a rename they follow the new name; kept ones the backend renames). */
  renamed(from: string, to: string): void {
    const prefix = from + '/';
    for (const f of this.files.values()) {
      if (f.rel === from) f.rel = to;
      else if (f.rel.startsWith(prefix)) f.rel = to + f.rel.slice(from.length);
    }
  }

  /** After renameat2(RENAME_EXCHANGE) of `a` and `b`: each name's handles go by the other (kept ones the backend swaps). */
  exchanged(a: string, b: string): void {
    const moved = (rel: string, from: string, to: string) => (rel === from || rel.startsWith(from + '/') ? to + rel.slice(from.length) : undefined);
    for (const f of this.files.values()) f.rel = moved(f.rel, a, b) ?? moved(f.rel, b, a) ?? f.rel;
  }

  info(branches: Branch[]): HandleInfo[] {
    return this.all().map(([fh, f]) => ({
      fh,
      relPath: f.rel,
      branch: indexOfBranch(branches, f.branch),
      realPath: f.branch.real(f.rel),
      flags: f.flags,
      openedAt: f.openedAt,
      ino: String(f.ino),
    }));
  }
}
