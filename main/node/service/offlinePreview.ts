/**
 * Where a new entry would land under a union that is not mounted, or under the draft the user is still
 * editing: the engine's own resolver and placement code (the same policy functions and facts a worker
 * uses), run against the branch directories directly. Policy state starts fresh, so a preview never
 * advances a running union's round-robin. The answer has the shape and rules of the worker's preview
 * (Union.preview): a parent missing from the union is ENOENT, branchPath is the entry's real path.
 */
import type { PreviewResult, UnionConfig } from '../../common/contract.ts';
import type { CreateFunction } from '../../common/policies/types.ts';
import type { Syscalls } from '../sys/syscalls.ts';
import { BranchRoots, openBranches } from '../union/branchSet.ts';
import { previewNew } from '../union/preview.ts';
import { Resolver } from '../union/resolver.ts';

/** `sys` is asked for on the first preview, so a missing native addon costs the preview, not the app's start. */
export function offlinePreviewer(sys: () => Syscalls) {
  return async (config: UnionConfig, rel: string, fn: CreateFunction): Promise<PreviewResult> => {
    // Root descriptors for this preview only: a draft may name directories that do not exist yet.
    const roots = new BranchRoots();
    try {
      const branches = await openBranches(config.branches, roots, true);
      const deps = { sys: sys(), branches, config, state: {}, now: Date.now, random: Math.random };
      return await previewNew(deps, new Resolver(() => branches, Date.now, deps.sys), config.mountpoint, rel, fn);
    } finally {
      await roots.close();
    }
  };
}
