/**
 * Union inode numbers: stable for the life of the mount and shared by hard links. Each branch object
 * (st_dev, st_ino) gets a small number on first sight; after a copy-up the new copy inherits the old
 * number, so a file keeps its inode when it moves to a writable branch (as overlayfs does).
 */
import type { BigIntStats } from 'node:fs';

const ROOT_INO = 1n;

export class InodeTable {
  private byKey = new Map<string, bigint>();
  private next = 2n;

  private static key(st: BigIntStats): string {
    return `${st.dev}:${st.ino}`;
  }

  ino(st: BigIntStats): bigint {
    const key = InodeTable.key(st);
    let ino = this.byKey.get(key);
    if (ino === undefined) {
      ino = this.next++;
      this.byKey.set(key, ino);
    }
    return ino;
  }

  /** The union root is always inode 1, whichever branch serves it. */
  root(st: BigIntStats): bigint {
    this.byKey.set(InodeTable.key(st), ROOT_INO);
    return ROOT_INO;
  }

  /** `now` is the copy that replaced `before` (copy-up, cloned directory): keep the number. */
  inherit(before: BigIntStats, now: BigIntStats): void {
    const ino = this.byKey.get(InodeTable.key(before));
    if (ino !== undefined) this.byKey.set(InodeTable.key(now), ino);
  }
}
