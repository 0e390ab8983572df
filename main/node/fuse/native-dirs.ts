/**
 * What the native backend may use to answer getattr on its own threads, without JS
 * (native/fuse/src/dir_attrs.h): the directories the union's resolver holds, published while it holds
 * them and withdrawn on every namespace change, and the union inode number of each branch object. The
 * native backend carries them to the mount it serves. A worker serves one union through one mount, so
 * there is one table per process (the first mount's).
 */
export interface DirTable {
  /** `layers`: real paths of the directory's merged copies, top-down. */
  putDir(rel: string, layers: string[], ttlMs: number): void;
  /** `rel` and everything below it. */
  dropDirs(rel: string): void;
  numberIno(dev: bigint, branchIno: bigint, ino: bigint): void;
}

let table: DirTable | undefined;

export const nativeDirs = {
  attach(t: DirTable): void {
    table ??= t;
  },
  detach(t: DirTable): void {
    if (table === t) table = undefined;
  },
  put(rel: string, layers: string[], ttlMs: number): void {
    table?.putDir(rel, layers, ttlMs);
  },
  drop(rel: string): void {
    table?.dropDirs(rel);
  },
  number(dev: bigint, branchIno: bigint, ino: bigint): void {
    table?.numberIno(dev, branchIno, ino);
  },
};
