/** Open files of the union. A handle keeps its Branch object, so reconfiguring the union never breaks it. */
import type { HandleInfo } from '../../common/contract.ts';
import type { Branch } from './branchSet.ts';

export interface OpenFile {
  fd: number;
  branch: Branch;
  rel: string;
  flags: number;
  openedAt: number;
}

export class HandleTable {
  private files = new Map<number, OpenFile>();
  private nextFh = 1;

  add(file: OpenFile): number {
    // fuse-native treats fh 0 as "no handle", so numbering starts at 1 and skips 0 on wrap.
    const fh = this.nextFh;
    this.nextFh = this.nextFh >= 0x7fffffff ? 1 : this.nextFh + 1;
    this.files.set(fh, file);
    return fh;
  }

  get(fh: number | undefined): OpenFile | undefined {
    return fh === undefined ? undefined : this.files.get(fh);
  }

  remove(fh: number): OpenFile | undefined {
    const f = this.files.get(fh);
    this.files.delete(fh);
    return f;
  }

  /** Open files known by `rel`. */
  at(rel: string): OpenFile[] {
    return [...this.files.values()].filter((f) => f.rel === rel);
  }

  get size(): number {
    return this.files.size;
  }

  /** Handles whose file lives on one of these branches. */
  on(branches: Set<Branch>): OpenFile[] {
    return [...this.files.values()].filter((f) => branches.has(f.branch));
  }

  /** Every handle on `rel` (after a rename they follow the new name). */
  renamed(from: string, to: string): void {
    const prefix = from + '/';
    for (const f of this.files.values()) {
      if (f.rel === from) f.rel = to;
      else if (f.rel.startsWith(prefix)) f.rel = to + f.rel.slice(from.length);
    }
  }

  info(branches: Branch[]): HandleInfo[] {
    return [...this.files.entries()].map(([fh, f]) => ({
      fh,
      relPath: f.rel,
      branch: branches.indexOf(f.branch),
      realPath: f.branch.real(f.rel),
      flags: f.flags,
      openedAt: f.openedAt,
    }));
  }
}
