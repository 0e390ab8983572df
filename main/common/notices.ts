/**
 * What is worth interrupting the user for, decided from the unions list the service reads anyway:
 * a branch that fell below its minimum free space, a union whose worker died, and a removal or unmount
 * the busy guard refused. Edge-triggered: a condition is announced when it starts, not on every poll,
 * and again only after it cleared. Pure, so the same rules serve Electron's notifications and the
 * browser UI's.
 */
import type { UnionSummary } from './api.ts';
import { formatSize } from './sizes.ts';

export type NoticeKind = 'below-minfree' | 'worker-died' | 'busy-refused';

export interface Notice {
  /** Unique per announcement, so a UI can dismiss exactly this one. */
  id: string;
  kind: NoticeKind;
  at: number;
  mountpoint: string;
  title: string;
  message: string;
  /** The branch concerned (below-minfree). */
  branch?: string;
  /** The union can be mounted again with one click (unions:recover). */
  recoverable?: boolean;
}

let sequence = 0;
function notice(fields: Omit<Notice, 'id'>): Notice {
  return { id: `${fields.kind}:${fields.at}:${++sequence}`, ...fields };
}

const LIVE = new Set(['mounted', 'hung']);

export class NoticeTrigger {
  /** `mountpoint\0branch` of every branch now below its minimum. */
  private below = new Set<string>();
  private states = new Map<string, string>();

  observe(rows: readonly UnionSummary[], at: number): Notice[] {
    const out: Notice[] = [];
    const below = new Set<string>();
    for (const row of rows) {
      if (row.state === 'stale' && LIVE.has(this.states.get(row.mountpoint) ?? '')) {
        out.push(
          notice({
            kind: 'worker-died',
            at,
            mountpoint: row.mountpoint,
            recoverable: true,
            title: `${row.name} stopped unexpectedly`,
            message: `The process serving ${row.mountpoint} died, so the union no longer serves files. Mount it again to recover.`,
          }),
        );
      }
      if (row.state !== 'mounted') continue;
      for (const branch of row.branches) {
        const minimum = branch.minFreeSpace ?? row.config.minFreeSpace;
        if (branch.mode === 'ro' || minimum === 0 || branch.avail === undefined || branch.avail >= minimum) continue;
        const key = `${row.mountpoint}\0${branch.path}`;
        below.add(key);
        if (this.below.has(key)) continue;
        out.push(
          notice({
            kind: 'below-minfree',
            at,
            mountpoint: row.mountpoint,
            branch: branch.path,
            title: `${row.name}: ${branch.path} is nearly full`,
            message: `Branch ${branch.path} of ${row.name} has less free space than its minimum (${formatSize(minimum)}): new files go to other branches, or fail when none has room.`,
          }),
        );
      }
    }
    this.below = below;
    this.states = new Map(rows.map((r) => [r.mountpoint, r.state]));
    return out;
  }
}

/** The busy guard said no: the user who clicked sees the error; the notice reaches the tray too. */
export function refusalNotice(mountpoint: string, message: string, at: number): Notice {
  return notice({ kind: 'busy-refused', at, mountpoint, title: `${mountpoint} is in use`, message });
}
