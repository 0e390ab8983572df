/**
 * Where a new entry would land under a union that is not mounted, or under the draft the user is still
 * editing: the engine's own placement code (the same policy functions and facts a worker uses), run
 * against the branch directories directly. Policy state starts fresh, so a preview never advances a
 * running union's round-robin.
 */
import type { PreviewResult, UnionConfig } from '../../common/contract.ts';
import type { CreateFunction } from '../../common/policies/types.ts';
import type { Syscalls } from '../sys/syscalls.ts';
import { makeBranches } from '../union/branchSet.ts';
import { placeNew } from '../union/placement.ts';

export function offlinePreviewer(sys: Syscalls) {
  return async (config: UnionConfig, relPath: string, fn: CreateFunction): Promise<PreviewResult> => {
    const placement = await placeNew({
      sys,
      branches: makeBranches(config.branches),
      config,
      state: {},
      now: Date.now,
      random: Math.random,
    }, relPath, fn);
    const { result } = placement;
    const base = { mountpoint: config.mountpoint, relPath, fn, policy: placement.policy, excluded: result.excluded, createsParents: placement.missingParents };
    if (!result.ok) return { ...base, ok: false, errno: result.errno };
    const branch = result.branches[0];
    const preview: PreviewResult = { ...base, ok: true, branch, branchPath: config.branches[branch].path };
    if (result.note) preview.note = result.note;
    return preview;
  };
}
