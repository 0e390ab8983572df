/**
 * `strata preview`: where a new entry would land now and why every other branch was excluded. Shared by
 * a mounted union's worker and by the app's preview of unions that are not mounted (or still drafts).
 */
import { dirname } from 'node:path';
import type { PreviewResult } from '../../common/contract.ts';
import type { CreateFunction } from '../../common/policies/types.ts';
import { type PlacementDeps, placeNew } from './placement.ts';
import type { Resolver } from './resolver.ts';

/** `deps.state` should be a copy: a preview must never advance a running union's round-robin. */
export async function previewNew(deps: PlacementDeps, resolver: Resolver, mountpoint: string, rel: string, fn: CreateFunction): Promise<PreviewResult> {
  const [parent, placement] = await Promise.all([resolver.lookup(dirname(rel)).catch(() => null), placeNew(deps, rel, fn)]);
  const { result } = placement;
  const base = { mountpoint, relPath: rel, fn, policy: placement.policy, excluded: result.excluded, createsParents: placement.missingParents };
  if (!parent?.isDir) return { ...base, ok: false, errno: 'ENOENT', note: `${dirname(rel)} does not exist in the union; create it first`, createsParents: [] };
  if (!result.ok) return { ...base, ok: false, errno: result.errno };
  const branch = result.branches[0];
  return { ...base, ok: true, branch, branchPath: deps.branches[branch].real(rel), ...(result.note ? { note: result.note } : {}) };
}
