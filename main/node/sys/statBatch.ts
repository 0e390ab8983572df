/**
 * Typed view of `lstatBatch`: an op names every branch entry it may need to know about, they are all
 * lstat'ed in one pool job, and then the op's logic reads the answers it needs in its own order. As with
 * a Promise nobody awaits, a failure (other than "not there") throws only when its answer is read.
 */
import type { BigIntStats } from 'node:fs';
import { ENOENT, ENOTDIR } from './errno.ts';
import type { RawStatBatch, Statvfs, Syscalls } from './syscalls.ts';

/** The lstat fields the union reads; Node's BigIntStats is one. */
export type BranchStat = Pick<
  BigIntStats,
  'dev' | 'ino' | 'mode' | 'nlink' | 'uid' | 'gid' | 'rdev' | 'size' | 'blksize' | 'blocks' | 'atimeNs' | 'mtimeNs' | 'ctimeNs'
>;

const SLOTS = 14;

/** Stat `i` of an array in the native layout (errno slot first, then BigIntStats' fields in order). */
export function decodeStat(s: BigInt64Array, i = 0): BranchStat {
  const o = i * SLOTS;
  return {
    dev: s[o + 1],
    ino: s[o + 2],
    mode: s[o + 3],
    nlink: s[o + 4],
    uid: s[o + 5],
    gid: s[o + 6],
    rdev: s[o + 7],
    size: s[o + 8],
    blksize: s[o + 9],
    blocks: s[o + 10],
    atimeNs: s[o + 11],
    mtimeNs: s[o + 12],
    ctimeNs: s[o + 13],
  };
}

export class StatBatch {
  constructor(private readonly raw: RawStatBatch) {}

  /** lstat of path `i`: null when missing (ENOENT, ENOTDIR, as lstatOrNull); any other failure throws. */
  stat(i: number): BranchStat | null {
    return this.found(i) ? decodeStat(this.raw.stats, i) : null;
  }

  /** Does path `i` exist? Same failures as stat(i), without building the stat. */
  found(i: number): boolean {
    const err = Number(this.raw.stats[i * SLOTS]);
    if (err === 0) return true;
    if (err === ENOENT || err === ENOTDIR) return false;
    throw this.raw.errors?.[i] ?? new Error(`lstat failed with errno ${err}`);
  }

  /** statvfs of vfs root `i`, or null when it failed. */
  statvfs(i: number): Statvfs | null {
    const v = this.raw.vfs[i];
    return v instanceof Error ? null : v;
  }
}

/**
 * Collects the (branch root descriptor, union path) pairs of one batch; `add` answers the index to read
 * the answer at. `within` is the index of the directory the path is in, when the path is worth asking
 * only if that is a directory.
 */
export class BatchPaths {
  readonly roots: number[] = [];
  readonly paths: string[] = [];
  readonly within: number[] = [];
  readonly vfsRoots: number[] = [];
  add(root: number, rel: string, within = -1): number {
    this.roots.push(root);
    this.within.push(within);
    return this.paths.push(rel) - 1;
  }
  /** statvfs of a branch root, read back with StatBatch.statvfs(index). */
  addRoot(root: number): number {
    return this.vfsRoots.push(root) - 1;
  }
  async ask(sys: Syscalls): Promise<StatBatch> {
    return new StatBatch(await sys.lstatBatch(this.roots, this.paths, this.within, this.vfsRoots));
  }
}
