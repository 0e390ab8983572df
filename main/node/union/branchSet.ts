/** The branches of a live union. Replaced as a whole on reconfiguration; open handles keep their Branch. */
import { join } from 'node:path';
import type { BranchMode, BranchSpec } from '../../common/branch.ts';

export class Branch {
  constructor(
    readonly root: string,
    readonly mode: BranchMode,
    readonly minFreeSpace: number | undefined,
  ) {}
  /** Real path of a union-relative path ('/a/b') on this branch. */
  real(rel: string): string {
    return rel === '/' ? this.root : join(this.root, rel);
  }
  /** Existing entries here may be modified in place (mergerfs NC allows that; RO does not). */
  get modifiable(): boolean {
    return this.mode !== 'ro';
  }
  /** New entries (including whiteouts and copy-ups) may be made here. */
  get creatable(): boolean {
    return this.mode === 'rw';
  }
}

export function makeBranches(specs: BranchSpec[]): Branch[] {
  return specs.map((s) => new Branch(s.path, s.mode, s.minFreeSpace));
}
