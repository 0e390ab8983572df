/** Branch modes, as in mergerfs (RW/RO/NC) and aufs (rw/ro). `nc`: existing files writable, no new entries. */
export const BRANCH_MODES = ['rw', 'ro', 'nc'] as const;
export type BranchMode = (typeof BRANCH_MODES)[number];

export interface BranchSpec {
  /** Absolute path of the branch root. */
  path: string;
  mode: BranchMode;
  /** Per-branch minimum free space in bytes; overrides the union's global `minFreeSpace`. */
  minFreeSpace?: number;
}
