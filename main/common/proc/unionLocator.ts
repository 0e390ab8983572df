/**
 * Decides whether a file a process holds is a union file or a branch file reached directly, by device
 * number and the path inside that device's filesystem, never by the printed path alone: bind mounts,
 * other mount namespaces and chroots print the same file under other paths.
 */
import type { BranchMode } from '../branch.ts';
import type { MountInfoEntry } from '../mountinfo.ts';
import { devKey, type NamespaceMounts } from './namespaceMounts.ts';
import { joinBelow, pathBelow } from './procPath.ts';

export interface UnionBranch {
  index: number;
  /** Absolute path of the branch root in the tracker's own mount namespace. */
  path: string;
  mode: BranchMode;
}

export interface UnionTarget {
  mountpoint: string;
  major: number;
  minor: number;
  branches: UnionBranch[];
}

export type Location =
  { union: UnionTarget; relPath: string; direct: false } | { union: UnionTarget; relPath: string; direct: true; branch: UnionBranch; realPath: string };

/** A branch root as the path inside its filesystem, so any mount of that filesystem can be matched. */
interface BranchSite {
  union: UnionTarget;
  branch: UnionBranch;
  fsRoot: string;
}

export class UnionLocator {
  private readonly unions = new Map<string, UnionTarget>();
  private readonly sites = new Map<string, BranchSite[]>();
  /** Per namespace table, its mounts of watched devices: most fds are on none of them. */
  private readonly watchedMounts = new WeakMap<NamespaceMounts, MountInfoEntry[]>();

  /** `own`: the tracker's own namespace, where union mountpoints and branch roots are spelled. */
  constructor(targets: UnionTarget[], own: NamespaceMounts) {
    for (const union of targets) {
      this.unions.set(devKey(union.major, union.minor), union);
      for (const branch of union.branches) {
        const mount = own.containing(branch.path);
        const fsRoot = mount && fsPathOf(mount, branch.path);
        if (!mount || !fsRoot) continue;
        const key = devKey(mount.major, mount.minor);
        const list = this.sites.get(key) ?? [];
        list.push({ union, branch, fsRoot });
        this.sites.set(
          key,
          list.sort((a, b) => b.fsRoot.length - a.fsRoot.length),
        );
      }
    }
  }

  get targets(): UnionTarget[] {
    return [...this.unions.values()];
  }

  /** Devices of the unions, as [major, minor]. */
  get unionDevices(): [number, number][] {
    return [...this.unions.keys()].map(parseDevKey);
  }

  /** Devices holding branches, as [major, minor]. */
  get branchDevices(): [number, number][] {
    return [...this.sites.keys()].map(parseDevKey);
  }

  /** Where paths of union files start as `table`'s namespace prints them: every mount of a union device. */
  unionPrefixes(table: NamespaceMounts): string[] {
    return table.entries.filter((m) => this.unions.has(devKey(m.major, m.minor))).map((m) => m.mountpoint);
  }

  /**
   * How paths of branch files start as `table`'s namespace prints them: the branch root seen through
   * every mount of its filesystem that shows it, or a mount that shows only part of a branch.
   */
  branchPrefixes(table: NamespaceMounts): string[] {
    const out = new Set<string>();
    for (const mount of table.entries) {
      for (const site of this.sites.get(devKey(mount.major, mount.minor)) ?? []) {
        const below = pathBelow(mount.root, site.fsRoot);
        if (below !== null) out.add(joinBelow(mount.mountpoint, below));
        else if (pathBelow(site.fsRoot, mount.root) !== null) out.add(mount.mountpoint);
      }
    }
    return [...out];
  }

  /** Cheap first filter: only files on these devices can be union files or branch files. */
  watches(major: number, minor: number): boolean {
    const key = devKey(major, minor);
    return this.unions.has(key) || this.sites.has(key);
  }

  /** A file known to be on `mount` (an fd, by fdinfo's mnt_id), printed as `path`. */
  inMount(mount: MountInfoEntry, path: string): Location | null {
    const fsPath = fsPathOf(mount, path);
    return fsPath === null ? null : this.classify(devKey(mount.major, mount.minor), fsPath);
  }

  /** A file known to be on a device (a maps region), printed as `path` in one of these namespaces. */
  onDevice(tables: NamespaceMounts[], major: number, minor: number, path: string): Location | null {
    const key = devKey(major, minor);
    for (const table of tables) {
      const mount = table.containing(path, key);
      if (mount) return this.inMount(mount, path);
    }
    return null;
  }

  /** A file known only by its path (cwd, root, exe): the mount is the deepest one containing it. */
  atPath(table: NamespaceMounts, path: string): Location | null {
    const mount = table.containing(path);
    return mount && this.watches(mount.major, mount.minor) ? this.inMount(mount, path) : null;
  }

  /** Could a file printed as `path` in this namespace be on a watched device? Saves reading fdinfo for the rest. */
  mayHold(table: NamespaceMounts, path: string): boolean {
    let mounts = this.watchedMounts.get(table);
    if (!mounts) {
      mounts = table.entries.filter((m) => this.watches(m.major, m.minor));
      this.watchedMounts.set(table, mounts);
    }
    return mounts.some((m) => this.inMount(m, path) !== null);
  }

  private classify(key: string, fsPath: string): Location | null {
    const union = this.unions.get(key);
    if (union) return { union, relPath: fsPath, direct: false };
    for (const site of this.sites.get(key) ?? []) {
      const rest = pathBelow(site.fsRoot, fsPath);
      if (rest === null) continue;
      return { union: site.union, relPath: rest || '/', direct: true, branch: site.branch, realPath: joinBelow(site.branch.path, rest) };
    }
    return null;
  }
}

function parseDevKey(key: string): [number, number] {
  const [major, minor] = key.split(':').map(Number);
  return [major, minor];
}

/** The path inside the mounted filesystem: the mount's root plus the part below its mountpoint. */
function fsPathOf(mount: MountInfoEntry, path: string): string | null {
  const rest = pathBelow(mount.mountpoint, path);
  return rest === null ? null : joinBelow(mount.root, rest) || '/';
}
