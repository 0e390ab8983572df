/**
 * Union inode numbers: stable for the life of the mount and shared by hard links. Each branch object
 * (st_dev, st_ino) gets a small number on first sight; after a copy-up the new copy inherits the old
 * number, so a file keeps its inode when it moves to a writable branch (as overlayfs does).
 */
import type { BigIntStats } from 'node:fs';

/** What identifies a branch object: its lstat's (st_dev, st_ino). */
type Identity = Pick<BigIntStats, 'dev' | 'ino'>;

const ROOT_INO = 1n;

/** Told of every (st_dev, st_ino) → union inode assignment, e.g. to share it with the native backend. */
export type OnAssign = (dev: bigint, branchIno: bigint, ino: bigint) => void;
/** Where new numbers come from when the backend keeps the table (ResolvedDirs.numberFor); undefined: here. */
export type Allocate = (dev: bigint, branchIno: bigint) => bigint | undefined;

export class InodeTable {
  private byKey = new Map<string, bigint>();
  private next = 2n;

  constructor(
    private readonly onAssign: OnAssign = () => undefined,
    private readonly allocate: Allocate = () => undefined,
  ) {}

  private assign(st: Identity, ino: bigint): bigint {
    const key = InodeTable.key(st);
    if (this.byKey.get(key) !== ino) {
      this.byKey.set(key, ino);
      this.onAssign(st.dev, st.ino, ino);
    }
    return ino;
  }

  private static key(st: Identity): string {
    return `${st.dev}:${st.ino}`;
  }

  ino(st: Identity): bigint {
    const key = InodeTable.key(st);
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const given = this.allocate(st.dev, st.ino);
    if (given === undefined) return this.assign(st, this.next++);
    this.byKey.set(key, given);
    return given;
  }

  /** The union root is always inode 1, whichever branch serves it. */
  root(st: Identity): bigint {
    return this.assign(st, ROOT_INO);
  }

  /** `now` is the copy that replaced `before` (copy-up, cloned directory): keep the number. */
  inherit(before: Identity, now: Identity): void {
    // The backend may have numbered `before` without this table hearing of it.
    const ino = this.byKey.get(InodeTable.key(before)) ?? this.allocate(before.dev, before.ino);
    if (ino !== undefined) this.assign(now, ino);
  }
}
