/** aufs' branch walks over the parent directory (btop/btaildir) and upward (`au_wbr_bu`). */
import { parentOf } from '../filters.ts';
import type { PolicyInput } from '../types.ts';

/** Branches where the parent directory of `input.path` exists, top first: btop(parent) … btaildir(parent). */
export function parentHolders(input: PolicyInput): number[] {
  const parent = parentOf(input.path);
  return input.branches.map((_, b) => b).filter((b) => input.probe.isDir(b, parent));
}

/** aufs' bu(limit): the nearest candidate at or above branch `limit`. */
export function nearestUpTo(candidates: readonly number[], limit: number): number | undefined {
  return candidates.filter((b) => b <= limit).at(-1);
}
