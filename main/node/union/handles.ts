/** Open files of the union. A handle keeps its Branch object, so reconfiguring the union never breaks it. */
import type { HandleInfo } from '../../common/contract.ts';
import { constants } from 'node:fs';
import type { Branch } from './branchSet.ts';

const { O_CREAT, O_EXCL, O_NOCTTY, O_APPEND } = constants;
const O_DIRECT = 0o40000;

/** The kernel decides write offsets (O_APPEND included) and caching; the branch fd must not second-guess it. */
export const branchFlags = (flags: number): number => flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_APPEND | O_DIRECT);

export interface OpenFile {
  fd: number;
  branch: Branch;
  rel: string;
  flags: number;
  openedAt: number;
  /** A dup3 putting a new copy behind `fd` (repointHandles.ts): closing `fd` waits for it. */
  swapping?: Promise<void>;
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

  /** A handle the backend opened and numbered itself (DirectIoOps.adoptHandle). */
  adopt(fh: number, file: OpenFile): void {
    this.files.set(fh, file);
  }
  get(fh: number | undefined): OpenFile | undefined {
    return fh === undefined ? undefined : this.files.get(fh);
  }

  remove(fh: number): OpenFile | undefined {
    const f = this.files.get(fh);
    this.files.delete(fh);
    return f;
  }

  /** Is `file` still open (not released)? */
  holds(file: OpenFile): boolean {
    for (const f of this.files.values()) if (f === file) return true;
    return false;
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
