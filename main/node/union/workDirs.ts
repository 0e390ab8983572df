/**
 * Where copy-up builds its unnamed files and its temp entries, so that a worker killed mid-copy leaves
 * nothing that lives on:
 * `<branch>/.wh..wh..strata-work/<union id>/`, like overlayfs' workdir. `.wh.` names are never listed or
 * reachable through the union. The union id is a hash of the mountpoint (mountKey), so two unions sharing a
 * branch never clear each other's copies in flight, and the next mount of the same union clears what its
 * killed predecessor left (`sweep`), without walking the branch.
 *
 * Where a rename from there into the target would cross filesystems (EXDEV: a filesystem mounted inside
 * the branch), the temp entry is built beside its final name instead, and a symlink in the work directory
 * records where, so the sweep removes that leftover too. Like every branch access, all of it goes through
 * the branch root's descriptor (branchFs.ts) and never follows a symlink.
 */
import { randomBytes } from 'node:crypto';
import { COPYUP_TMP_PREFIX, WORK_DIR } from '../../common/whiteout.ts';
import type { Syscalls } from '../sys/syscalls.ts';
import { BranchFs, joinRel } from './branchFs.ts';
import type { Branch } from './branchSet.ts';
import { relOf, relParts } from './copyupPath.ts';
import { hasErrno } from '../sys/errno.ts';

/** Where one temp entry is built (a path on the target branch); `release` drops its record once it was published or discarded. */
export interface TempSpot {
  rel: string;
  release(): Promise<void>;
}

/** A temp entry for a copy into `dstDir`; `beside`: build it there (the work directory is on another filesystem). */
export type TempPlacer = (dstDir: string, beside: boolean) => Promise<TempSpot>;

const tempName = () => COPYUP_TMP_PREFIX + randomBytes(8).toString('hex');
const nothing = async () => undefined;

/** Without a work directory (tests of plain directories): beside the final name, as a last resort. */
export const besideTarget: TempPlacer = async (dstDir) => ({ rel: joinRel(dstDir, tempName()), release: nothing });

export class WorkDirs {
  private readonly fs: BranchFs;
  /** This union's work directory, relative to a branch root. */
  readonly dir: string;
  /** Per branch root, the sweep of this union's work directory there: every copy-up there waits for it. */
  private readonly swept = new Map<string, Promise<void>>();
  /** The branch roots whose sweep has finished, failed or not. */
  private readonly cleared = new Set<string>();
  /** Per branch root, the making of this union's work directory there, for unnamed files. */
  private readonly made = new Map<string, Promise<void>>();

  /** `id`: the union's mountKey, as in its control socket's and log's names. */
  constructor(sys: Syscalls, id: string) {
    this.fs = new BranchFs(sys);
    this.dir = relOf([WORK_DIR, id]);
  }

  /**
   * Removes what an earlier worker of this union left in `b`'s work directory, once per branch root;
   * rejects with the first failure (a read-only or missing branch has nothing to clear: not a failure).
   */
  sweep(b: Branch): Promise<void> {
    let done = this.swept.get(b.root);
    if (!done) {
      done = this.clear(b);
      this.swept.set(b.root, done);
      const cleared = () => this.cleared.add(b.root);
      done.then(cleared, cleared);
    }
    return done;
  }

  /** Whether `b`'s sweep has finished, so a temp entry made there now is not cleared from under its maker. */
  isSwept(b: Branch): boolean {
    return this.cleared.has(b.root);
  }

  private async clear(b: Branch): Promise<void> {
    if (!(await this.fs.lstatOrNull(b, this.dir))) return;
    for (const name of await this.fs.readdir(b, this.dir)) {
      const entry = joinRel(this.dir, name);
      const st = await this.fs.lstat(b, entry);
      if ((Number(st.mode) & 0o170000) === 0o120000) await this.removeRecorded(b, await this.fs.readlink(b, entry));
      await this.fs.removeTree(b, entry);
    }
  }

  /** A record's target, a path on the branch: removed only if it names a temp entry. */
  private async removeRecorded(b: Branch, target: string): Promise<void> {
    const parts = relParts(target);
    if (!parts.at(-1)?.startsWith(COPYUP_TMP_PREFIX)) return;
    await this.fs.removeTree(b, relOf(parts));
  }

  private async makeDir(b: Branch): Promise<void> {
    for (const rel of [relOf([WORK_DIR]), this.dir]) {
      await this.fs.mkdir(b, rel, 0o700).catch((err) => {
        if (!hasErrno(err, 'EEXIST')) throw err;
      });
    }
  }

  /**
   * This union's work directory on `b`, where copy-up makes its unnamed files (copyNode.ts): they need
   * no sweep, so only its making is waited for, once per branch root; `remake` after it was found gone.
   */
  async unnamedDir(b: Branch, remake = false): Promise<string> {
    let made = this.made.get(b.root);
    if (!made || remake) {
      made = this.makeDir(b);
      this.made.set(b.root, made);
      // A failed making is forgotten, so the next copy-up tries again; a newer one stays.
      const mine = made;
      made.catch(() => this.made.get(b.root) === mine && this.made.delete(b.root));
    }
    await made;
    return this.dir;
  }

  placer(b: Branch): TempPlacer {
    return async (dstDir, beside) => {
      // A sweep that failed was logged; its leftovers stay, copy-ups go on.
      await this.sweep(b).catch(nothing);
      await this.makeDir(b);
      const name = tempName();
      const inWork = joinRel(this.dir, name);
      // A different device is sure to give EXDEV; the same one may still (a bind mount), which the caller retries.
      if (!beside && (await this.fs.lstat(b, this.dir)).dev === (await this.fs.lstat(b, dstDir)).dev) return { rel: inWork, release: nothing };
      const rel = joinRel(dstDir, name);
      await this.fs.symlink(rel, b, inWork);
      return { rel, release: () => this.fs.unlink(b, inWork).catch(nothing) };
    };
  }
}
