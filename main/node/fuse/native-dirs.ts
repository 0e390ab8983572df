/**
 * Directory resolutions the native backend may reuse to answer getattr on its own threads, without
 * JS (native/fuse/src/dir_attrs.h): the union engine publishes each one its resolver holds and
 * withdraws it on every namespace change; the native backend carries them to the mount it serves.
 * A worker serves one union through one mount, so there is one table per process (the first mount's).
 */
export interface DirTable {
  putDir(rel: string, real: string, dev: bigint, branchIno: bigint, ino: bigint, ttlMs: number): void;
  dropDirs(rel: string): void;
}

let table: DirTable | undefined;

export const nativeDirs = {
  attach(t: DirTable): void {
    table ??= t;
  },
  detach(t: DirTable): void {
    if (table === t) table = undefined;
  },
  put(rel: string, real: string, dev: bigint, branchIno: bigint, ino: bigint, ttlMs: number): void {
    table?.putDir(rel, real, dev, branchIno, ino, ttlMs);
  },
  /** `rel` and everything below it. */
  drop(rel: string): void {
    table?.dropDirs(rel);
  },
};
