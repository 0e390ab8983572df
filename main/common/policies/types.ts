import type { BranchMode } from '../branch.ts';
import type { CopyupPolicyName, CreatePolicyName } from './names.ts';

/**
 * Policies are pure functions over a snapshot of the union. The engine gathers every fact a policy may
 * ask for (lstat of the path's ancestors on each branch, statvfs of each branch) before it calls one, so a
 * policy never touches the disk and the same code answers `strata preview` and a real create.
 * Paths are union-relative and absolute ('/', '/a', '/a/b'). Branch index 0 is the top.
 */

/** The four functions of mergerfs' create category; aufs treats mkdir specially in `rr`. */
export const CREATE_FUNCTIONS = ['create', 'mkdir', 'mknod', 'symlink'] as const;
export type CreateFunction = (typeof CREATE_FUNCTIONS)[number];

export interface BranchSpace {
  /** f_bavail * f_frsize, bytes. */
  avail: number;
  /** f_frsize * (f_blocks - f_bavail), bytes. */
  used: number;
}

export interface BranchState {
  index: number;
  mode: BranchMode;
  /** The branch's filesystem is mounted read-only (ST_RDONLY). */
  mountedReadOnly: boolean;
  /** null when statvfs failed on the branch root. */
  space: BranchSpace | null;
  /** Effective minimum free space in bytes (the branch's own value, else the union's global one). */
  minFreeSpace: number;
  /** An ancestor of the path that is not a directory on this branch (a file, a symlink): nothing can be made below it. */
  blockedBy?: string;
}

/** Synchronous questions a policy may ask; answered from facts the engine gathered beforehand. */
export interface PathProbe {
  /** `relPath` exists on branch `b` as a directory (raw: ignores whiteouts above). */
  isDir(b: number, relPath: string): boolean;
  /** Something (any type) exists at `relPath` on branch `b` (raw). */
  exists(b: number, relPath: string): boolean;
  /** mtime in seconds of `relPath` on branch `b`, undefined when absent. */
  mtime(b: number, relPath: string): number | undefined;
}

/** Mutable per-union state of stateful policies (aufs rr counter, aufs mfs cache). */
export interface PolicyState {
  rrCounter?: number;
  mfsCache?: { branch: number; at: number; maxAvail: number; availByBranch: number[] };
}

export interface PolicyInput {
  branches: BranchState[];
  /** The new entry (create) or the entry being copied up (copy-up). */
  path: string;
  fn: CreateFunction;
  probe: PathProbe;
  /**
   * Highest (smallest index) branch holding `.wh.<name>` for `path`, or undefined. A new entry placed
   * below it would stay hidden, so no policy may choose a branch below `min(whiteoutBranch, opaqueBranch)`.
   */
  whiteoutBranch?: number;
  /** Highest branch on which an ancestor directory of `path` (the parent included) is opaque, or undefined. */
  opaqueBranch?: number;
  /** Copy-up only: the topmost branch where the entry exists (aufs btop). */
  sourceBranch?: number;
  /** Milliseconds since the epoch. */
  now: number;
  /** Uniform in [0, 1). Injected so tests are deterministic. */
  random: () => number;
  state: PolicyState;
}

export type ExclusionReason =
  | 'mode' // branch is ro (or nc, for create)
  | 'mounted-ro' // branch filesystem mounted read-only
  | 'no-parent' // the parent (or path, for ep*/action) does not exist there
  | 'no-space' // below minfreespace / watermark
  | 'statfs-failed'
  | 'hidden' // below a whiteout or opaque directory: a new entry there would not be visible
  | 'not-a-directory' // the branch's copy of an ancestor is a file or symlink
  | 'not-chosen'; // eligible, but the policy preferred another branch

export interface Exclusion {
  branch: number;
  reason: ExclusionReason;
  /** One human sentence, e.g. "has 1.2 GiB free, less than b0's 4 GiB". */
  detail: string;
}

export type PolicyErrno = 'EROFS' | 'ENOSPC' | 'ENOENT';

export type PolicyResult = { ok: true; branches: number[]; excluded: Exclusion[]; note?: string } | { ok: false; errno: PolicyErrno; excluded: Exclusion[] };

export interface CreatePolicy {
  /** Canonical name as the user writes it, without arguments ('mfsrr', 'epmfs'). */
  name: CreatePolicyName;
  family: 'aufs' | 'mergerfs';
  /** One sentence for the UI's picker and the CLI's help. */
  summary: string;
  create(input: PolicyInput): PolicyResult;
}

export interface CopyupPolicy {
  name: CopyupPolicyName;
  summary: string;
  copyup(input: PolicyInput): PolicyResult;
}

/** A parsed policy setting: name plus aufs-style numeric arguments (`mfsrr:LOW:SEC`). */
export interface PolicySetting {
  name: string;
  family: 'aufs' | 'mergerfs';
  /** aufs `low` watermark in bytes, for mfsrr, tdmfs, pmfsrr. */
  low?: number;
  /** aufs cache duration in seconds for mfs-based policies (default 30, max 3600). */
  seconds?: number;
}
