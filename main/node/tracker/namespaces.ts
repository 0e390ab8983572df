/**
 * Mount tables per mount namespace. Paths in another namespace's processes are printed relative to that
 * namespace, so they are resolved with that namespace's mountinfo (read once per namespace per scan).
 */
import { parseMountInfo } from '../../common/mountinfo.ts';
import { NamespaceMounts } from '../../common/proc/namespaceMounts.ts';
import { decodeProcBytes } from '../../common/proc/procPath.ts';
import { PROC, readProcLink, readProcText } from './procFs.ts';

export async function readNamespaceMounts(pid: number | 'self'): Promise<NamespaceMounts> {
  const entries = parseMountInfo(await readProcText(`${PROC}/${pid}/mountinfo`)).map((e) => ({
    ...e,
    root: decodeProcBytes(e.root),
    mountpoint: decodeProcBytes(e.mountpoint),
  }));
  return new NamespaceMounts(entries);
}

export class MountViews {
  private readonly others = new Map<string, Promise<NamespaceMounts | null>>();

  private constructor(
    readonly own: NamespaceMounts,
    readonly ownNs: string,
  ) {}

  static async load(): Promise<MountViews> {
    const [own, ns] = await Promise.all([readNamespaceMounts('self'), readProcLink(`${PROC}/self/ns/mnt`)]);
    return new MountViews(own, ns);
  }

  /**
   * The tables to resolve a process's paths with, its own namespace's first. A file can also come from
   * our namespace (opened before an unshare, or passed over a socket), so ours is always the fallback.
   * Null `ns` (unreadable link) means we cannot tell: only our table is used.
   */
  async forNamespace(pid: number, ns: string | null): Promise<NamespaceMounts[]> {
    if (ns === null || ns === this.ownNs) return [this.own];
    let table = this.others.get(ns);
    if (!table) {
      // Read through one of its processes; if that one has just exited, the next process of the namespace retries.
      table = readNamespaceMounts(pid).catch(() => {
        this.others.delete(ns);
        return null;
      });
      this.others.set(ns, table);
    }
    const other = await table;
    return other ? [other, this.own] : [this.own];
  }
}
