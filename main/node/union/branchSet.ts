/**
 * The branches of a live union. Replaced as a whole on reconfiguration; open handles keep their Branch.
 * Each branch root is opened once as a descriptor, and every access to the branch goes through it
 * (branchFs.ts): the root path the user gave is resolved at that moment, and never again.
 */
import { close, constants, open } from 'node:fs';
import { join } from 'node:path';
import type { BranchMode, BranchSpec } from '../../common/branch.ts';

const O_PATH = 0o10000000;

export class Branch {
  constructor(
    readonly root: string,
    /** O_PATH descriptor of the root: what every access to the branch is anchored at. */
    readonly fd: number,
    readonly mode: BranchMode,
    readonly minFreeSpace: number | undefined,
  ) {}
  /** Real path of a union-relative path ('/a/b') on this branch: for display only (where, handles, messages). */
  real(rel: string): string {
    return rel === '/' ? this.root : join(this.root, rel);
  }
  /** Existing entries here may be modified in place (mergerfs NC allows that; RO does not). */
  get modifiable(): boolean {
    return this.mode !== 'ro';
  }
  /** New entries (including whiteouts and copy-ups) may be made here. */
  get creatable(): boolean {
    return this.mode === 'rw';
  }
}

/**
 * Root descriptors by root path. A worker keeps one per distinct path for as long as it serves: an open
 * handle may keep a Branch of an old configuration, so its descriptor must outlive it, and reconfiguring
 * back and forth opens nothing new. A scoped set (offline preview) closes its own when done.
 */
export class BranchRoots {
  private readonly fds = new Map<string, Promise<number>>();

  /** The root's descriptor, opened (off the JS thread) on first use. */
  open(path: string): Promise<number> {
    let fd = this.fds.get(path);
    if (!fd) {
      fd = new Promise<number>((resolve, reject) => open(path, O_PATH | constants.O_DIRECTORY, (err, n) => (err ? reject(err) : resolve(n))));
      this.fds.set(path, fd);
      fd.catch(() => this.fds.delete(path));
    }
    return fd;
  }

  async close(): Promise<void> {
    const fds = [...this.fds.values()];
    this.fds.clear();
    await Promise.all((await Promise.allSettled(fds)).map((fd) => fd.status === 'fulfilled' && new Promise((resolve) => close(fd.value, resolve))));
  }
}

/** The worker's roots: closed only once nothing can be served any more (Union.release). */
export const workerRoots = new BranchRoots();

/**
 * Branches with their root descriptors. Rejects when a root cannot be opened, unless `missingAsEmpty`:
 * then that branch gets descriptor -1, on which every lookup answers ENOENT (a draft's preview).
 */
export async function openBranches(specs: BranchSpec[], roots: BranchRoots, missingAsEmpty = false): Promise<Branch[]> {
  return Promise.all(
    specs.map(async (s) => {
      const fd = await roots.open(s.path).catch((err: unknown) => {
        if (missingAsEmpty) return -1;
        throw err;
      });
      return new Branch(s.path, fd, s.mode, s.minFreeSpace);
    }),
  );
}
