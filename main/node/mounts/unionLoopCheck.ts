/**
 * Refuses branches that lead back to their own union (the rule: common/unionLoops.ts). The other
 * unions' branches are learned without touching any FUSE mount: which unions exist from mountinfo and
 * the lists workers publish (branchListFile.ts; a union being mounted has one before it is in
 * mountinfo), their branches from those lists, or, from a worker that keeps none (an older Strata),
 * its `status` answer within a short deadline. Only the unions the branches reach are learned, level
 * by level.
 */
import type { BranchSpec } from '../../common/branch.ts';
import { StrataError } from '../../common/errors.ts';
import { STRATA_FSTYPE, type MountInfoEntry } from '../../common/mountinfo.ts';
import { refuseUnionLoop, unionsReached, type CheckedBranch, type MountedUnion } from '../../common/unionLoops.ts';
import { publishedMountpoints, readBranchList } from './branchListFile.ts';
import { controlRequest } from '../control/controlClient.ts';
import { resolveWithoutWaiting } from './deadlineFs.ts';

const STATUS_DEADLINE_MS = 1000;

async function askWorker(mountpoint: string): Promise<string[] | string> {
  try {
    const status = await controlRequest(mountpoint, { op: 'status' }, STATUS_DEADLINE_MS);
    return status.config?.branches.map((b) => b.path) ?? 'its worker did not report them';
  } catch (err) {
    return (err as StrataError).code === 'WORKER_FAILED'
      ? `its worker did not answer within ${STATUS_DEADLINE_MS / 1000} s`
      : 'no Strata worker answers for it';
  }
}

/** A path that cannot be resolved (a symlink loop) is compared as given; the existence check names it. */
async function resolvedOrGiven(path: string, mounts: readonly MountInfoEntry[]): Promise<string> {
  return (await resolveWithoutWaiting(path, mounts).catch(() => ({ path }))).path;
}

async function learnUnion(mountpoint: string, mounts: readonly MountInfoEntry[]): Promise<MountedUnion> {
  const branches = (await readBranchList(mountpoint)) ?? (await askWorker(mountpoint));
  if (typeof branches === 'string') return { mountpoint, unknown: branches };
  return { mountpoint, branches: await Promise.all(branches.map((b) => resolvedOrGiven(b, mounts))) };
}

/** Branches with their symlinks resolved outside FUSE mounts: what the loop check compares. */
export async function resolveBranches(branches: readonly Pick<BranchSpec, 'path'>[], mounts: readonly MountInfoEntry[]): Promise<CheckedBranch[]> {
  return Promise.all(branches.map(async (b) => ({ path: b.path, real: await resolvedOrGiven(b.path, mounts) })));
}

/** `branches` must come from resolveBranches over the same mount table. */
export async function refuseUnionLoops(mountpoint: string, branches: readonly CheckedBranch[], mounts: readonly MountInfoEntry[]): Promise<void> {
  const mounted = mounts.filter((e) => e.fstype === STRATA_FSTYPE).map((e) => e.mountpoint);
  const unions = [...new Set([...mounted, ...(await publishedMountpoints())])].filter((m) => m !== mountpoint);
  const learned = new Map<string, MountedUnion>();
  let frontier = unionsReached(
    branches.map((b) => b.real),
    unions,
  );
  while (frontier.length > 0) {
    const level = await Promise.all(frontier.map((m) => learnUnion(m, mounts)));
    for (const union of level) learned.set(union.mountpoint, union);
    const next = level.flatMap((u) => ('branches' in u ? unionsReached(u.branches, unions) : []));
    frontier = [...new Set(next)].filter((m) => !learned.has(m));
  }
  refuseUnionLoop(mountpoint, branches, [...learned.values()]);
}
