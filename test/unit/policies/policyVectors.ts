/**
 * What the policy vector files (test/vectors/tdp-create.json, mergerfs-create.json) share: their branches
 * and union for /d/new, as the TypeScript policies' fake union (fixture.ts) and as the fields of the C++
 * runners' lines (native/fuse/test/policy_branches.h).
 */
import type { BranchMode } from '../../../main/common/branch.ts';
import type { FakeBranch } from './fixture.ts';

export interface VectorBranch {
  mode: BranchMode;
  avail: number;
  used?: number;
  minFree: number;
  mountedRO?: boolean;
  statfs?: boolean;
  /** Of /d, in seconds. */
  mtime?: number;
}

export interface VectorUnion {
  branches: VectorBranch[];
  /** The branches holding /d. */
  parentOn: number[];
  whiteout?: number;
  opaque?: number;
}

export function fakeBranches(c: VectorUnion): FakeBranch[] {
  return c.branches.map((b, i) => ({
    mode: b.mode,
    avail: b.avail,
    used: b.used ?? 0,
    minFree: b.minFree,
    mountedReadOnly: b.mountedRO ?? false,
    statfsFails: b.statfs === false,
    dirs: c.parentOn.includes(i) ? ['/d'] : [],
    mtimes: { '/d': b.mtime ?? 0 },
  }));
}

export function branchesField(c: VectorUnion): string {
  const flags = (b: VectorBranch, i: number) => `${b.mountedRO ? 'r' : ''}${b.statfs === false ? 'x' : ''}${c.parentOn.includes(i) ? 'p' : ''}`;
  return c.branches.map((b, i) => [b.mode, b.avail, b.used ?? 0, b.minFree, b.mtime ?? 0, flags(b, i)].join(',')).join(' ');
}

/** The highest branch holding the name's whiteout or an opaque /d, -1 if none does. */
export function barrierField(c: VectorUnion): number {
  const marks = [c.whiteout, c.opaque].filter((b): b is number => b !== undefined);
  return marks.length > 0 ? Math.min(...marks) : -1;
}
