/**
 * statfs of a union: the sum over its distinct filesystems (branches on one device count once), in units
 * of the smallest fragment size so nothing is lost to rounding, as mergerfs does; the shortest name
 * limit of any, and never over 255. The C++ twin is native/fuse/src/union_space.h; both are checked
 * against test/vectors/union-space.json.
 */

/** What statfs(2) says of a filesystem, as the FUSE protocol carries it. */
export interface FsSpace {
  bsize: number;
  frsize: number;
  blocks: bigint;
  bfree: bigint;
  bavail: bigint;
  files: bigint;
  ffree: bigint;
  favail: bigint;
  namemax: number;
}

/** One branch's filesystem and the device it is on. */
export interface BranchSpace extends FsSpace {
  dev: bigint;
}

/** The union's statfs over its branches (at least one). */
export function unionSpace(branches: readonly BranchSpace[]): FsSpace {
  const byDev = new Map<bigint, FsSpace>();
  for (const b of branches) byDev.set(b.dev, b);
  const all = [...byDev.values()];
  const unit = (v: FsSpace) => v.frsize || v.bsize;
  const frsize = all.reduce((m, v) => Math.min(m, unit(v)), Infinity);
  const scale = (v: FsSpace, n: bigint) => (n * BigInt(unit(v))) / BigInt(frsize);
  const sum = (f: (v: FsSpace) => bigint) => all.reduce((acc, v) => acc + f(v), 0n);
  return {
    bsize: frsize,
    frsize,
    blocks: sum((v) => scale(v, v.blocks)),
    bfree: sum((v) => scale(v, v.bfree)),
    bavail: sum((v) => scale(v, v.bavail)),
    files: sum((v) => v.files),
    ffree: sum((v) => v.ffree),
    favail: sum((v) => v.favail),
    namemax: all.reduce((m, v) => Math.min(m, v.namemax), 255),
  };
}
