/** Branch modes, as in mergerfs (RW/RO/NC) and aufs (rw/ro). `nc`: existing files writable, no new entries. */
export type BranchMode = 'rw' | 'ro' | 'nc';
export const BRANCH_MODES: readonly BranchMode[] = ['rw', 'ro', 'nc'];

export interface BranchSpec {
  /** Absolute path of the branch root. */
  path: string;
  mode: BranchMode;
  /** Per-branch minimum free space in bytes; overrides the union's global `minFreeSpace`. */
  minFreeSpace?: number;
}
