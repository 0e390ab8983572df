/**
 * TrackerSource over the mapping tracker (main/node/tracker): full /proc scans against the real unions,
 * a change stream made by comparing consecutive scans, and the busy guard's answer from a scan.
 */
import type { BusyReport, MappedEntry, MapsSnapshot } from '../../common/maps.ts';
import { managerSource } from '../tracker/managerSource.ts';
import { scanSnapshot } from '../tracker/scan.ts';
import type { TrackerSource } from './ports.ts';

const entryKey = (e: MappedEntry) => [e.pid, e.kind, e.fd ?? '', e.address ?? '', e.virtualPath, e.branch ?? ''].join('\0');

/**
 * Whether `e` may hold something on branch `branch`. An entry whose branch is unknown counts: refusing
 * a removal that was safe costs a retry, allowing one that was not pulls files from under a process.
 */
function mayUseBranch(e: MappedEntry, branch: number): boolean {
  return e.branch === branch || (e.branch === null && (e.branchCandidates?.includes(branch) ?? true));
}

export function busyReport(snapshot: MapsSnapshot, mountpoint: string, branch?: number): BusyReport {
  const users = new Map<number, { pid: number; command: string; paths: string[] }>();
  for (const e of snapshot.entries) {
    if (e.mountpoint !== mountpoint || (branch !== undefined && !mayUseBranch(e, branch))) continue;
    const u = users.get(e.pid) ?? { pid: e.pid, command: e.command, paths: [] };
    if (!u.paths.includes(e.virtualPath)) u.paths.push(e.virtualPath);
    users.set(e.pid, u);
  }
  return { busy: users.size > 0, users: [...users.values()], uninspectable: snapshot.uninspectable };
}

export function scanningTracker(pollMs = 2000): TrackerSource {
  const scan = () => scanSnapshot({ source: managerSource });
  return {
    snapshot: scan,
    watch(listener) {
      let previous = new Map<string, MappedEntry>();
      let running = false;
      const timer = setInterval(async () => {
        if (running) return;
        running = true;
        try {
          const snap = await scan();
          const current = new Map(snap.entries.map((e) => [entryKey(e), e]));
          const added = [...current].filter(([k]) => !previous.has(k)).map(([, e]) => e);
          const removed = [...previous].filter(([k]) => !current.has(k)).map(([, e]) => e);
          previous = current;
          if (added.length > 0 || removed.length > 0) listener({ at: snap.at, added, removed, uninspectable: snap.uninspectable });
        } catch {
          // A failed scan is retried at the next tick; the snapshot request reports errors to the user.
        } finally {
          running = false;
        }
      }, pollMs);
      timer.unref();
      return () => clearInterval(timer);
    },
    async checkBusy(mountpoint, branch) {
      return busyReport(await scan(), mountpoint, branch);
    },
  };
}
