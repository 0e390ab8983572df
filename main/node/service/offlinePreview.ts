/**
 * Where a new entry would land under a union that is not mounted, or under the draft the user is still
 * editing: the engine's own resolver and placement code (the same policy functions and facts a worker
 * uses), run against the branch directories directly. Policy state starts fresh, so a preview never
 * advances a running union's round-robin. The answer has the shape and rules of the worker's preview
 * (Union.preview): a parent missing from the union is ENOENT, branchPath is the entry's real path.
 */
import { dirname } from 'node:path';
import type { PreviewResult, UnionConfig } from '../../common/contract.ts';
import type { CreateFunction } from '../../common/policies/types.ts';
import type { Syscalls } from '../sys/syscalls.ts';
import { makeBranches } from '../union/branchSet.ts';
import { placeNew } from '../union/placement.ts';
import { Resolver } from '../union/resolver.ts';

/** `sys` is asked for on the first preview, so a missing native addon costs the preview, not the app's start. */
export function offlinePreviewer(sys: () => Syscalls) {
  return async (config: UnionConfig, rel: string, fn: CreateFunction): Promise<PreviewResult> => {
    const branches = makeBranches(config.branches);
    const [parent, placement] = await Promise.all([
      new Resolver(() => branches).lookup(dirname(rel)).catch(() => null),
      placeNew({ sys: sys(), branches, config, state: {}, now: Date.now, random: Math.random }, rel, fn),
    ]);
    const { result } = placement;
    const base = { mountpoint: config.mountpoint, relPath: rel, fn, policy: placement.policy, excluded: result.excluded, createsParents: placement.missingParents };
    if (!parent?.isDir) return { ...base, ok: false, errno: 'ENOENT', note: `${dirname(rel)} does not exist in the union; create it first`, createsParents: [] };
    if (!result.ok) return { ...base, ok: false, errno: result.errno };
    const branch = result.branches[0];
    return { ...base, ok: true, branch, branchPath: branches[branch].real(rel), ...(result.note ? { note: result.note } : {}) };
  };
}
