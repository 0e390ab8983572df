/**
 * Where the tracker learns about unions: their branches, the worker's open handles (which branch serves
 * an open file) and `where` lookups. The real source talks to the mount workers; tests use a fixed one.
 */
import type { HandleInfo, WhereResult } from '../../common/contract.ts';
import { STRATA_FSTYPE } from '../../common/mountinfo.ts';
import type { NamespaceMounts } from '../../common/proc/namespaceMounts.ts';
import type { UnionBranch, UnionTarget } from '../../common/proc/unionLocator.ts';

export interface UnionDescription {
  mountpoint: string;
  branches: UnionBranch[];
  /** Pids serving the union: a worker's own branch fds are how it serves, not users of the branch. */
  servers: number[];
}

export interface UnionSource {
  unions(): Promise<UnionDescription[]>;
  handles(mountpoint: string): Promise<HandleInfo[]>;
  where(mountpoint: string, relPath: string): Promise<WhereResult>;
}

export interface ResolvedUnions {
  targets: UnionTarget[];
  servers: Set<number>;
}

/**
 * Unions by device, from our mountinfo: every mounted fuse.strata filesystem, with the source's branches
 * where the source knows the union (one mounted by another user's manager still shows, without branches).
 * A described union need not be fuse.strata (tests describe a mergerfs mount); it must be mounted.
 */
export function resolveUnions(described: UnionDescription[], own: NamespaceMounts): ResolvedUnions {
  const byMountpoint = new Map(described.map((d) => [d.mountpoint, d]));
  const mountpoints = new Set([...byMountpoint.keys(), ...own.entries.filter((e) => e.fstype === STRATA_FSTYPE).map((e) => e.mountpoint)]);
  const targets: UnionTarget[] = [];
  for (const mountpoint of mountpoints) {
    const top = own.containing(mountpoint);
    const d = byMountpoint.get(mountpoint);
    if (top?.mountpoint !== mountpoint || (!d && top.fstype !== STRATA_FSTYPE)) continue;
    targets.push({ mountpoint, major: top.major, minor: top.minor, branches: d?.branches ?? [] });
  }
  return { targets, servers: new Set(described.flatMap((d) => d.servers)) };
}
