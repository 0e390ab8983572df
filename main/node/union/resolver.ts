/**
 * Top-down lookup with aufs semantics (the rule: common/lookupRule.ts), over facts lstat'ed in one
 * batch per name. Directories merge: their `layers` are every branch whose copy takes part in the
 * union view, top-down.
 *
 * Directory nodes are cached (lookups of any path walk them) and dropped on every namespace change
 * the union makes below them; a short TTL bounds how long a change made behind the union's back
 * (directly in a branch) can stay invisible.
 */
import { basename, dirname, join } from 'node:path';
import { type LayerFacts, ROOT, resolveName, visibleBelow } from '../../common/lookupRule.ts';
import { OPAQUE_MARKER, canWhiteout, isReservedName, whiteoutName } from '../../common/whiteout.ts';
import { NO_RESOLVED_DIRS, type ResolvedDirs } from '../fuse/ops.ts';
import { loadSyscalls } from '../sys/load.ts';
import { BatchPaths, type BranchStat, type StatBatch } from '../sys/statBatch.ts';
import type { Syscalls } from '../sys/syscalls.ts';
import type { Branch } from './branchSet.ts';
import { byteLength } from './bytePaths.ts';
import { ENAMETOOLONG, ENOTDIR, fail } from '../sys/errno.ts';
import { NAME_MAX } from '../sys/fsValues.ts';
import { isDirMode } from './fileType.ts';

export interface UnionNode {
  rel: string;
  /** Index of the branch whose copy the union serves. */
  top: number;
  /** lstat of the served copy. */
  stat: BranchStat;
  /** Directories: every merged branch, top-down, ending at the first opaque one. Others: [top]. */
  layers: number[];
  isDir: boolean;
}

const DIR_TTL_MS = 1000;

export class Resolver {
  private dirs = new Map<string, { node: UnionNode; at: number }>();

  constructor(
    private branches: () => Branch[],
    private now: () => number = Date.now,
    private readonly sys: Syscalls = loadSyscalls(),
    private readonly published: ResolvedDirs = NO_RESOLVED_DIRS,
  ) {}

  /**
   * The node the union shows at `rel`, or null. Throws ENOTDIR when an ancestor is not a directory.
   * A cached directory keeps its layers, but its attributes are read afresh: chmod, an ACL set through
   * setxattr or a change made directly in the branch must show at the next stat.
   */
  async lookup(rel: string): Promise<UnionNode | null> {
    const cached = this.cached(rel);
    if (cached) {
      const paths = new BatchPaths();
      paths.add(this.branches()[cached.top].fd, rel);
      const stat = (await paths.ask(this.sys)).stat(0);
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
      // same lookup over the same layers, beneath the same root descriptors) for as long as this
      // resolution is kept.
      const branches = this.branches();
      this.published.putDir(
        rel,
        node.layers.map((i) => branches[i].fd),
        DIR_TTL_MS,
      );
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
    // A branch the parent does not merge holds nothing there: it joins the walk as an empty layer.
    const layers = parent.layers.includes(above) ? parent.layers : [...parent.layers, above].sort((a, b) => a - b);
    const paths = new BatchPaths();
    const facts = this.askFacts(rel, layers, paths);
    return visibleBelow(basename(rel), facts(await paths.ask(this.sys)), layers.indexOf(above));
  }

  /** The branches that hold the copies directory `rel` merges, the serving one first, from the cache where it is there (structure only); undefined where `rel` is no directory. */
  async dirLayers(rel: string): Promise<readonly number[] | undefined> {
    const dir = await this.lookupDir(rel);
    return dir?.isDir ? dir.layers : undefined;
  }

  /**
   * The branch a cached directory lives on when it lives on that one alone: no whiteout is needed in
   * it and nothing below can show through, so a name in it is just the branch's name.
   */
  soleLayer(dir: string): number | undefined {
    const node = this.cached(dir);
    return node?.layers.length === 1 ? node.layers[0] : undefined;
  }

  /**
   * The native backend made a copy of the cached directory `rel` on branch `b` (native/fuse/src/copy_up.h):
   * above every copy it merged, or, for a mergerfs policy's pick, where nothing above hides it. The copy
   * joins in its place, here and in the publication, which a resolution finished meanwhile may have put
   * without it.
   */
  grew(rel: string, b: number): void {
    const hit = this.dirs.get(rel);
    const left = hit ? DIR_TTL_MS - (this.now() - hit.at) : 0;
    if (!hit || b < 0 || hit.node.layers.includes(b) || left <= 0) return;
    const layers = [...hit.node.layers, b].sort((x, y) => x - y);
    hit.node = { ...hit.node, top: layers[0], layers };
    const branches = this.branches();
    this.published.putDir(
      rel,
      hit.node.layers.map((i) => branches[i].fd),
      left,
    );
  }

  /**
   * The native backend resolved the directory `rel` itself from its parent's publication and published
   * it as number `gen` (native/fuse/src/publish_dir.h): `layers` top-down, `stat` its top copy's. Held
   * here as a resolution of this resolver's own, for what is left of that publication, so that a change
   * the union makes withdraws it as it withdraws those (invalidate). Not when it stands no longer (a
   * change withdrew it meanwhile), when this resolver has resolved `rel` itself since, or when it no
   * longer holds the parent (the rule every resolution keeps: see resolve): the publication goes then.
   */
  adopt(rel: string, layers: number[], stat: BranchStat, gen: number): void {
    if (this.dirs.has(rel)) return;
    const left = this.published.publishedFor(rel, gen);
    if (left <= 0) return;
    if (layers.length === 0 || layers.includes(-1) || !this.dirs.has(dirname(rel))) {
      this.published.dropDirs(rel);
      return;
    }
    const node = { rel, top: layers[0], stat, layers, isDir: true };
    this.dirs.set(rel, { node, at: this.now() - (DIR_TTL_MS - left) });
  }

  /** Forget cached directories at and below `rel` after the union changed them. */
  invalidate(rel: string): void {
    if (rel === '/') return this.clear();
    // A directory is cached only while its parent is (see resolve) and leaves with it: nothing below an
    // uncached path can be cached, so new files and most removals cost no scan.
    if (!this.dirs.has(rel)) return;
    this.published.dropDirs(rel);
    const prefix = rel + '/';
    for (const key of this.dirs.keys()) if (key === rel || key.startsWith(prefix)) this.dirs.delete(key);
  }

  clear(): void {
    this.dirs.clear();
    this.published.dropDirs('/');
  }

  private async lookupRoot(): Promise<UnionNode | null> {
    const branches = this.branches();
    // Every branch root is a descriptor opened O_DIRECTORY, so a directory: only the top one's attributes
    // and the opaque markers the rule asks for are read, so that a branch that stops answering holds up
    // nothing its place in the order does not decide (publish_dir.cc, RootFacts, asks the same).
    const paths = new BatchPaths();
    const top = paths.add(branches[0].fd, '/');
    const markers = branches.slice(0, -1).map((b) => paths.add(b.fd, join('/', OPAQUE_MARKER)));
    const batch = await paths.ask(this.sys);
    const found = resolveName(ROOT, { count: branches.length, entry: () => 'dir', whiteout: () => false, opaque: (k) => batch.found(markers[k]) });
    return found && { rel: '/', top: found.served, stat: batch.stat(top)!, layers: found.merged, isDir: true };
  }

  /**
   * lookup(rel), and a way to ask visibleBelow(rel, node.top) of what it found. A name that is not a
   * cached directory is looked up afresh, and that answers both from the same lstats (one pool job
   * for a whole unlink's questions).
   */
  async lookupWithBelow(rel: string): Promise<{ node: UnionNode; visibleBelow: () => Promise<boolean> } | null> {
    if (rel === '/' || this.cached(rel)) {
      const node = await this.lookup(rel);
      return node && { node, visibleBelow: () => this.visibleBelow(rel, node.top) };
    }
    const child = await this.probeChild(rel);
    if (!child?.node) return null;
    const { node, below } = child;
    return { node, visibleBelow: async () => below() };
  }

  private async lookupChild(rel: string): Promise<UnionNode | null> {
    return (await this.probeChild(rel))?.node ?? null;
  }

  /**
   * The top-down walk over the layers of the parent. `below()` answers visibleBelow(rel, node.top) from
   * the same lstats: the layers above the top held neither the name nor its whiteout (or the walk would
   * have stopped there), so only the layers under the top are left to read.
   */
  private async probeChild(rel: string): Promise<{ node: UnionNode | null; below: () => boolean } | null> {
    const name = basename(rel);
    if (byteLength(name) > NAME_MAX) fail(ENAMETOOLONG);
    if (isReservedName(name)) return null;
    const parent = await this.lookupDir(dirname(rel));
    if (!parent) return null;
    if (!parent.isDir) fail(ENOTDIR);
    const paths = new BatchPaths();
    const read = this.askChild(rel, parent, paths);
    return read(await paths.ask(this.sys));
  }

  /**
   * lookup(rel) with its lstats asked in the caller's batch, where that needs no wait first (a plain
   * name in a cached directory); the returned function reads the answer once the batch is back.
   * Otherwise the lookup starts on its own right away.
   */
  askLookup(rel: string, paths: BatchPaths): (batch: StatBatch) => Promise<UnionNode | null> {
    const name = basename(rel);
    const parent = rel === '/' ? undefined : this.cached(dirname(rel));
    if (!parent || this.cached(rel) || byteLength(name) > NAME_MAX || isReservedName(name)) {
      const alone = this.lookup(rel);
      alone.catch(() => undefined); // read (and so reported) by the caller after its batch
      return () => alone;
    }
    const read = this.askChild(rel, parent, paths);
    return async (batch) => read(batch).node;
  }

  private askChild(rel: string, parent: UnionNode, paths: BatchPaths): (batch: StatBatch) => { node: UnionNode | null; below: () => boolean } {
    const facts = this.askFacts(rel, parent.layers, paths);
    const name = basename(rel);
    return (batch) => {
      const read = facts(batch);
      const found = resolveName(name, read);
      if (!found) return { node: null, below: () => false };
      const node = {
        rel,
        top: parent.layers[found.served],
        stat: read.stat(found.served)!,
        layers: found.merged.map((k) => parent.layers[k]),
        isDir: found.isDir,
      };
      return { node, below: () => visibleBelow(name, read, found.served) };
    };
  }

  /** Per layer: the name, its whiteout, its opaque marker, all asked at once; read back as the rule asks. */
  private askFacts(rel: string, layers: number[], paths: BatchPaths): (batch: StatBatch) => BatchFacts {
    const branches = this.branches();
    const whiteout = whiteoutName(basename(rel));
    const at = layers.map((i) => {
      const b = branches[i];
      const self = paths.add(b.fd, rel);
      return { self, whiteout: paths.add(b.fd, join(dirname(rel), whiteout)), opaque: paths.add(b.fd, join(rel, OPAQUE_MARKER), self) };
    });
    // An answer the rule never reads never fails the lookup.
    return (batch) => factsOf(batch, at, canWhiteout(basename(rel)));
  }
}

type BatchFacts = LayerFacts & { stat(k: number): BranchStat | null };

/** The rule's facts over a batch's answers; `whiteoutable`: see canWhiteout. */
function factsOf(batch: StatBatch, at: { self: number; whiteout: number; opaque: number }[], whiteoutable: boolean): BatchFacts {
  return {
    count: at.length,
    stat: (k) => batch.stat(at[k].self),
    entry: (k) => {
      const st = batch.stat(at[k].self);
      return !st ? 'none' : isDirMode(st.mode) ? 'dir' : 'other';
    },
    whiteout: (k) => whiteoutable && batch.found(at[k].whiteout),
    opaque: (k) => batch.found(at[k].opaque),
  };
}
