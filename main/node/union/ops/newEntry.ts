/**
 * The one path by which new names enter the union (create, mkdir, mknod, symlink): refuse reserved
 * and over-long names, ask the create policy for a branch, make the parent exist there, create, give
 * the entry to the caller, then drop a whiteout that hid the name. Creating before removing the
 * whiteout means a hidden lower copy never shows through, not even for an instant.
 */
import { basename, dirname } from 'node:path';
import type { CreateFunction } from '../../../common/policies/types.ts';
import { isReservedName } from '../../../common/whiteout.ts';
import { byteLength } from '../bytePaths.ts';
import type { RequestContext } from '../../fuse/ops.ts';
import { type Owner, type UnionCore, policyFailure } from '../core.ts';
import { EEXIST, ENAMETOOLONG, EPERM, fail } from '../../sys/errno.ts';
import { NAME_MAX } from '../../sys/fsValues.ts';
import { BatchPaths } from '../../sys/statBatch.ts';
import type { Branch } from '../branchSet.ts';
import { askPlaceNew, missingOn } from '../placement.ts';

export function checkNewName(rel: string): void {
  const name = basename(rel);
  if (byteLength(name) > NAME_MAX) fail(ENAMETOOLONG);
  if (isReservedName(name)) fail(EPERM, `names starting with .wh. are reserved for whiteouts`);
}

export interface Target {
  branch: Branch;
  /** Branches below this one that still hold a (hidden) copy of the name. */
  hiddenBelow: boolean;
  /** Whom the entry must be chowned to, if anyone (see UnionCore.ownerFor). */
  owner: Owner | undefined;
  /** `make` calls this when it gave the entry to `owner` itself (create does, in its open's pool job). */
  owned(): void;
}

export async function newEntry<T>(
  core: UnionCore,
  rel: string,
  fn: CreateFunction,
  ctx: RequestContext | undefined,
  make: (target: Target) => Promise<T>,
): Promise<T> {
  checkNewName(rel);
  // Is the name free, and where would it go: one pool job for both questions. The policy runs (and
  // advances its state) only for a free name.
  const paths = new BatchPaths();
  const existing = core.resolver.askLookup(rel, paths);
  const place = askPlaceNew(core.placementDeps(), rel, fn, paths);
  const batch = await paths.ask(core.sys);
  if (await existing(batch)) fail(EEXIST);
  await core.refuseFixedNames(dirname(rel), false);
  const placement = place(batch);
  if (!placement.result.ok) policyFailure(placement.result.errno);
  const targets = fn === 'create' ? placement.result.branches.slice(0, 1) : placement.result.branches;
  // The facts the policy saw already say which branches hold the name, its parents and its whiteouts.
  const { facts } = placement;
  let first: T | undefined;
  for (const b of targets) {
    if (missingOn(facts, rel, b).length > 0) await core.ensureParent(rel, b);
    const branch = core.branches[b];
    const hiddenBelow = core.branches.some((_, i) => i > b && facts.probe.exists(i, rel));
    let owned = false;
    const made = await make({
      branch,
      hiddenBelow,
      owner: core.ownerFor(ctx),
      owned: () => {
        owned = true;
      },
    });
    first ??= made;
    if (!owned) await core.own(branch, rel, ctx);
    if (facts.whiteouts.has(b)) await core.removeWhiteout(rel, b);
  }
  core.invalidate(rel);
  return first as T;
}
