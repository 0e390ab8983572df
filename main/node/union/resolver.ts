/**
 * Top-down lookup with aufs semantics. A name is served by the highest branch (within its parent's
 * merged layers) that has it; `.wh.<name>` on a branch hides the name on every branch below; a
 * directory holding `.wh..wh..opq` hides the same directory on every branch below. Directories merge:
 * their `layers` are every branch whose copy takes part in the union view, top-down.
 *
 * Directory nodes are cached (lookups of any path walk them) and dropped on every namespace change
 * the union makes below them; a short TTL bounds how long a change made behind the union's back
 * (directly in a branch) can stay invisible.
 */
import type { BigIntStats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { OPAQUE_MARKER, isReservedName, whiteoutName } from '../../common/whiteout.ts';
import { nativeDirs } from '../fuse/native-dirs.ts';
import type { Branch } from './branchSet.ts';
import { lstatAhead } from './facts.ts';
import { ENAMETOOLONG, ENOTDIR, NAME_MAX, fail, isDirMode, lstatOrNull } from './fsx.ts';

export interface UnionNode {
  rel: string;
  /** Index of the branch whose copy the union serves. */
  top: number;
  /** lstat of the served copy. */
  stat: BigIntStats;
  /** Directories: every merged branch, top-down, ending at the first opaque one. Others: [top]. */
  layers: number[];
  isDir: boolean;
}

const DIR_TTL_MS = 1000;

export class Resolver {
  private dirs = new Map<string, { node: UnionNode; at: number }>();

  constructor(private branches: () => Branch[], private now: () => number = Date.now) {}

  /**
   * The node the union shows at `rel`, or null. Throws ENOTDIR when an ancestor is not a directory.
   * A cached directory keeps its layers, but its attributes are read afresh: chmod, an ACL set through
   * setxattr or a change made directly in the branch must show at the next stat.
   */
  async lookup(rel: string): Promise<UnionNode | null> {
    const cached = this.cached(rel);
    if (cached) {
      const stat = await lstatOrNull(this.branches()[cached.top].real(rel));
      if (stat && isDirMode(stat.mode)) return { ...cached, stat };
      this.invalidate(rel);
    }
    return this.resolve(rel);
  }

  private cached(rel: string): UnionNode | undefined {
    const hit = this.dirs.get(rel);
    return hit && this.now() - hit.at < DIR_TTL_MS ? hit.node : undefined;
  }

  /** Layers of an ancestor directory: structure only, so the cached node is good enough. */
  private async lookupDir(rel: string): Promise<UnionNode | null> {
    return this.cached(rel) ?? this.resolve(rel);
  }

  private async resolve(rel: string): Promise<UnionNode | null> {
    const node = rel === '/' ? await this.lookupRoot() : await this.lookupChild(rel);
    // Not when the parent was invalidated meanwhile: that keeps invalidate() from needing a scan.
    if (node?.isDir && (rel === '/' || this.dirs.has(dirname(rel)))) {
      this.dirs.set(rel, { node, at: this.now() });
      // The native backend may answer getattr of this directory, and of names in it, by itself (the
      // same lookup over the same layers) for as long as this resolution is kept.
      const branches = this.branches();
      nativeDirs.put(rel, node.layers.map((i) => branches[i].real(rel)), DIR_TTL_MS);
    }
    return node;
  }

  /**
   * Would `rel` still be visible if every copy at or above branch `above` were gone? Decides whether a
   * delete must leave a whiteout.
   */
  async visibleBelow(rel: string, above: number): Promise<boolean> {
    if (rel === '/') return false;
    const parent = await this.lookupDir(dirname(rel));
    if (!parent?.isDir) return false;
    const branches = this.branches();
    const name = basename(rel);
    for (const i of parent.layers) {
      if (i <= above) {
        if (i < above && (await lstatOrNull(join(branches[i].real(dirname(rel)), whiteoutName(name))))) return false;
        continue;
      }
      if (await lstatOrNull(branches[i].real(rel))) return true;
      if (await lstatOrNull(join(branches[i].real(dirname(rel)), whiteoutName(name)))) return false;
    }
    return false;
  }

  /** Forget cached directories at and below `rel` after the union changed them. */
  invalidate(rel: string): void {
    if (rel === '/') return this.clear();
    // A directory is cached only while its parent is (see resolve) and leaves with it: nothing below an
    // uncached path can be cached, so new files and most removals cost no scan.
    if (!this.dirs.has(rel)) return;
    nativeDirs.drop(rel);
    const prefix = rel + '/';
    for (const key of this.dirs.keys()) if (key === rel || key.startsWith(prefix)) this.dirs.delete(key);
  }

  clear(): void {
    this.dirs.clear();
    nativeDirs.drop('/');
  }

  private async lookupRoot(): Promise<UnionNode | null> {
    const branches = this.branches();
    const layers: number[] = [];
    let stat: BigIntStats | null = null;
    for (let i = 0; i < branches.length; i++) {
      const st = await lstatOrNull(branches[i].root);
      if (!st || !isDirMode(st.mode)) continue;
      stat ??= st;
      layers.push(i);
      if (await lstatOrNull(join(branches[i].root, OPAQUE_MARKER))) break;
    }
    return stat ? { rel: '/', top: layers[0], stat, layers, isDir: true } : null;
  }

  private async lookupChild(rel: string): Promise<UnionNode | null> {
    const name = basename(rel);
    if (Buffer.byteLength(name) > NAME_MAX) fail(ENAMETOOLONG);
    if (isReservedName(name)) return null;
    const parent = await this.lookupDir(dirname(rel));
    if (!parent) return null;
    if (!parent.isDir) fail(ENOTDIR);
    const branches = this.branches();
    let found: UnionNode | null = null;
    for (const i of parent.layers) {
      const b = branches[i];
      // Asked together: a name new to the union (every create) then costs one wait per layer, not two.
      const whiteout = lstatAhead(join(b.real(dirname(rel)), whiteoutName(name)));
      const st = await lstatOrNull(b.real(rel));
      if (!st) {
        if (await whiteout) break;
        continue;
      }
      const dir = isDirMode(st.mode);
      if (!found) {
        found = { rel, top: i, stat: st, layers: [i], isDir: dir };
        if (!dir) break;
      } else if (dir) {
        found.layers.push(i);
      } else {
        break; // a non-directory below a directory ends the merge
      }
      if (await lstatOrNull(join(b.real(rel), OPAQUE_MARKER))) break;
    }
    return found;
  }
}
