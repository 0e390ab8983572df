/**
 * One mount namespace's mount table, indexed for the tracker: by mount ID (fdinfo's mnt_id) and by
 * device (maps' major:minor). Paths are as the kernel prints them to the reader of that namespace.
 */
import type { MountInfoEntry } from '../mountinfo.ts';
import { pathBelow } from './procPath.ts';

export function devKey(major: number, minor: number): string {
  return `${major}:${minor}`;
}

export class NamespaceMounts {
  private readonly byId = new Map<number, MountInfoEntry>();
  private readonly byDev = new Map<string, MountInfoEntry[]>();

  constructor(readonly entries: MountInfoEntry[]) {
    for (const e of entries) {
      this.byId.set(e.mountId, e);
      const key = devKey(e.major, e.minor);
      const list = this.byDev.get(key);
      if (list) list.push(e);
      else this.byDev.set(key, [e]);
    }
  }

  mount(mountId: number): MountInfoEntry | undefined {
    return this.byId.get(mountId);
  }

  /**
   * The mount a kernel-printed path lies in: the deepest mountpoint containing it, optionally among the
   * mounts of one device (a maps region names its device, so a mount stacked over its path later does
   * not fool us). Of mounts stacked on one mountpoint, the top one is the one no other is mounted on.
   */
  containing(path: string, dev?: string): MountInfoEntry | undefined {
    const candidates = dev === undefined ? this.entries : (this.byDev.get(dev) ?? []);
    let best: MountInfoEntry | undefined;
    for (const e of candidates) {
      if (pathBelow(e.mountpoint, path) === null) continue;
      if (!best || e.mountpoint.length > best.mountpoint.length || (e.mountpoint === best.mountpoint && e.parentId === best.mountId)) {
        best = e;
      }
    }
    return best;
  }
}
