/**
 * State and shared steps of one union: the branch list, caches, handle table and the few operations
 * every FUSE op builds on (find the served copy, copy it up before a change, make a parent exist on
 * a branch, whiteouts). Op handlers in ./ops take a UnionCore.
 */
import { constants } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { UnionConfig } from '../../common/contract.ts';
import type { PolicyErrno, PolicyState } from '../../common/policies/types.ts';
import { OPAQUE_MARKER, canWhiteout, whiteoutName } from '../../common/whiteout.ts';
import { mountKey } from '../control/paths.ts';
import type { BackendCapabilities, RequestContext, ResolvedDirs } from '../fuse/ops.ts';
import { BatchPaths, type BranchStat } from '../sys/statBatch.ts';
import type { Syscalls } from '../sys/syscalls.ts';
import { BranchFs } from './branchFs.ts';
import type { Branch } from './branchSet.ts';
import { type CopyupDeps, cloneDirs, copyUp } from './copyup.ts';
import { chain } from './facts.ts';
import { ENOENT, ENOSPC, ENOTDIR, EPERM, EROFS, fail, hasErrno } from '../sys/errno.ts';
import { closeFd } from './fdCalls.ts';
import { isDirMode } from './fileType.ts';
import { HandleTable, type OpenFile } from './handles.ts';
import { InodeTable } from './inodes.ts';
import { MoveGate } from './moveGate.ts';
import { keepingParentTimes } from './parentTimes.ts';
import { type PlacementDeps, placeCopyup } from './placement.ts';
import { type Identity, repointHandles } from './repointHandles.ts';
import { Resolver, type UnionNode } from './resolver.ts';
import { WorkDirs } from './workDirs.ts';

/** The name libfuse gives a file unlinked while still open (hide_node in its fuse.c). */
const LIBFUSE_HIDDEN = /\/\.fuse_hidden[0-9a-f]{16}$/;
export const isLibfuseHidden = (rel: string): boolean => LIBFUSE_HIDDEN.test(rel);

const POLICY_ERRNO: Record<PolicyErrno, number> = { EROFS, ENOSPC, ENOENT };

export function policyFailure(errno: PolicyErrno): never {
  fail(POLICY_ERRNO[errno], `policy: ${errno}`);
}

export interface Owner {
  uid: number;
  gid: number;
}

export interface Counters {
  ops: Record<string, number>;
  bytesRead: number;
  bytesWritten: number;
  copyups: number;
}

export class UnionCore {
  readonly resolver: Resolver;
  /** The only way to touch a branch (anchored at its root descriptor). */
  readonly fs: BranchFs;
  readonly inodes: InodeTable;
  readonly handles = new HandleTable();
  /** Where copy-ups build their temp entries (workDirs.ts). */
  readonly work: WorkDirs;
  readonly copyupDeps: CopyupDeps;
  readonly moves = new MoveGate();
  readonly counters: Counters = { ops: {}, bytesRead: 0, bytesWritten: 0, copyups: 0 };
  policyState: PolicyState = {};
  private readonly isRoot = process.getuid?.() === 0;

  constructor(
    public config: UnionConfig,
    public branches: Branch[],
    readonly sys: Syscalls,
    readonly caps: BackendCapabilities,
    readonly now: () => number,
    readonly random: () => number,
    resolved: ResolvedDirs,
  ) {
    this.fs = new BranchFs(sys);
    this.resolver = new Resolver(() => this.branches, now, sys, resolved);
    // A backend answering some getattrs itself must number inodes as the union does.
    this.inodes = new InodeTable(
      (dev, branchIno, ino) => resolved.numberIno(dev, branchIno, ino),
      (dev, branchIno) => resolved.numberFor(dev, branchIno),
    );
    this.work = new WorkDirs(sys, mountKey(config.mountpoint));
    this.copyupDeps = { sys, work: this.work };
  }

  placementDeps(): PlacementDeps {
    return { sys: this.sys, branches: this.branches, config: this.config, state: this.policyState, now: this.now, random: this.random };
  }

  /** The served node at `rel`, or ENOENT. */
  async node(rel: string): Promise<UnionNode> {
    return (await this.resolver.lookup(rel)) ?? fail(ENOENT);
  }

  /** node(rel), and whether a copy below its top would show once the top copy is gone (see Resolver.lookupWithBelow). */
  async nodeWithBelow(rel: string): Promise<{ node: UnionNode; visibleBelow: () => Promise<boolean> }> {
    return (await this.resolver.lookupWithBelow(rel)) ?? fail(ENOENT);
  }

  invalidate(rel: string): void {
    this.resolver.invalidate(rel);
  }

  /**
   * EPERM for a change of names in directory `dir` (`removal`: one that removes a name) that its served
   * copy refuses, immutable or append-only: by its flags on a branch the union does not write in place
   * (the change would land in a copy on another branch, whose filesystem cannot tell), or by its mark
   * where it is a copy-up's on one written in place (native/common/inode_flags.h). As overlayfs, which
   * takes the flags of a directory's top copy for its own, and keeps them in a mark on its copy-up's. A
   * copy written in place refuses by itself otherwise, and a union that writes nowhere refuses every
   * change with EROFS, as a read-only mount does first.
   */
  async refuseFixedNames(dir: string, removal: boolean): Promise<void> {
    if (!this.branches.some((b) => b.modifiable)) return;
    const layers = await this.resolver.dirLayers(dir);
    if (layers === undefined || (this.branches[layers[0]].modifiable && layers.length < 2)) return;
    if (await this.sys.refusesNameChange(this.branches[layers[0]].fd, dir, removal)) fail(EPERM);
  }

  /**
   * EPERM for a change to directory `node` itself (its mode, owner, times, xattrs) where it is a
   * copy-up's copy of one that was immutable or append-only, which its mark keeps (inode_flags.h), as
   * that one refuses it (copyup.ts). chattr, which clears the mark, is not such a change.
   */
  async refuseMarkedDir(node: UnionNode): Promise<void> {
    if (node.isDir && node.layers.length > 1 && this.branches[node.top].modifiable) await this.refuseUnchangeable(node);
  }

  /**
   * EPERM where `node` is immutable or append-only, for its removal or move, as the kernel refuses it
   * (may_delete), or a change asked before its copy-up would refuse: by its flags where its served copy
   * is on a branch the union does not write in place (a whiteout or a copy would hide or move it, which
   * that filesystem cannot tell), by its mark where it is a copy-up's directory on one written in place
   * (which refuses by itself otherwise).
   */
  async refuseFixedEntry(node: UnionNode): Promise<void> {
    if (!this.branches[node.top].modifiable) await this.refuseUnchangeable(node);
    else await this.refuseMarkedDir(node);
  }

  private async refuseUnchangeable(node: UnionNode): Promise<void> {
    if ((await this.fs.inodeFlags(this.branches[node.top], node.rel)) & this.sys.unchangeableFlags) fail(EPERM);
  }

  /** The union inode number of a branch object. */
  ino(st: BranchStat, root = false): bigint {
    return root ? this.inodes.root(st) : this.inodes.ino(st);
  }

  /**
   * A file unlinked while open, by the hidden name libfuse still uses for it (see ops/rename.ts):
   * attribute requests without a handle (fstat, fchmod) arrive by that name and are served by its fd.
   */
  unlinkedOpen(rel: string): OpenFile | undefined {
    return isLibfuseHidden(rel) ? this.handles.at(rel)[0] : undefined;
  }

  /** Branches in order: where cloned directories take their metadata from. */
  metaRoots(): Branch[] {
    return this.branches;
  }

  /**
   * The copy of `rel` that may be changed in place, copying it up first when it lives on a read-only
   * branch. `truncateTo` limits the data copied when the change is a truncate.
   */
  async ensureWritable(rel: string, truncateTo?: bigint): Promise<{ node: UnionNode; branch: Branch }> {
    const node = await this.node(rel);
    await this.refuseMarkedDir(node);
    return this.makeWritable(node, truncateTo);
  }

  /** ensureWritable for a node the caller has just looked up. */
  async makeWritable(node: UnionNode, truncateTo?: bigint): Promise<{ node: UnionNode; branch: Branch }> {
    const rel = node.rel;
    const src = this.branches[node.top];
    if (src.modifiable) return { node, branch: src };
    const placement = await placeCopyup(this.placementDeps(), rel, node.top);
    if (!placement.result.ok) policyFailure(placement.result.errno);
    return this.copyUpTo(node, placement.result.branches[0], truncateTo);
  }

  /**
   * Copy the served copy of `node` up to branch `t`; the union then serves the new copy, same inode number,
   * and the handles open on the old copy follow it. A hard-linked file is copied as this name alone (see
   * copyup.ts), so the copy gets a number of its own: sharing it with the names left below would make
   * tar store this name as a link to them and du count it once.
   */
  async copyUpTo(node: UnionNode, t: number, truncateTo?: bigint): Promise<{ node: UnionNode; branch: Branch }> {
    const dst = this.branches[t];
    const src = this.branches[node.top];
    // One that cannot change refuses before its parent is copied: the kernel asks its flags first.
    const flags = await this.fs.inodeFlags(src, node.rel);
    if (flags & this.sys.unchangeableFlags) fail(EPERM);
    await this.ensureParent(node.rel, t);
    await copyUp(this.copyupDeps, src, dst, node.rel, { metaRoots: this.metaRoots(), truncateTo, flags });
    const stat = await this.fs.lstat(dst, node.rel);
    if (node.isDir || node.stat.nlink < 2n) this.inodes.inherit(node.stat, stat);
    this.invalidate(node.rel);
    this.counters.copyups++;
    if (!node.isDir) await repointHandles(this.fs, this.handles, node.rel, node.stat, dst);
    return { node: { ...node, top: t, stat, layers: node.isDir ? [t, ...node.layers] : [t] }, branch: dst };
  }

  /**
   * The native backend copied the file `rel` from `old` to `now` on branch `to` itself
   * (native/fuse/src/copy_up.h), and moved the handles it keeps unless `keptMoved` is false: the rest
   * follow, and the copy keeps the number. The backend counts it (OpStats.served.copyup).
   */
  async copiedUpElsewhere(rel: string, old: Identity, now: Identity, to: Branch | undefined, keptMoved: boolean): Promise<void> {
    this.inodes.inherit(old, now);
    if (to) await repointHandles(this.fs, this.handles, rel, old, to, keptMoved);
  }

  /**
   * Make the parent directory of `rel` exist on branch `b`, copying each missing ancestor's metadata.
   * An ancestor re-created over a whiteout becomes opaque, so what the whiteout hid stays hidden.
   */
  async ensureParent(rel: string, b: number): Promise<void> {
    const branch = this.branches[b];
    const missing: { dir: string; before: UnionNode | null; overWhiteout: boolean }[] = [];
    // Each ancestor and its whiteout, all in one pool job (nothing asked below a missing one or a non-directory).
    const dirs = chain(dirname(rel)).slice(1);
    const paths = new BatchPaths();
    let parent = -1;
    const asked = dirs.map((dir) => {
      const whiteout = paths.add(branch.fd, join(dirname(dir), whiteoutName(basename(dir))), parent);
      parent = paths.add(branch.fd, dir, parent);
      return { self: parent, whiteout };
    });
    const batch = await paths.ask(this.sys);
    for (const [k, dir] of dirs.entries()) {
      const st = batch.stat(asked[k].self);
      // Never build through a symlink or file on a branch: a write could land outside the branch root.
      if (st && !isDirMode(st.mode)) fail(ENOTDIR, `${branch.real(dir)} is not a directory`);
      if (st) continue;
      const overWhiteout = canWhiteout(basename(dir)) && batch.found(asked[k].whiteout);
      missing.push({ dir, before: await this.resolver.lookup(dir), overWhiteout });
    }
    if (missing.length === 0) return;
    await cloneDirs(this.copyupDeps, this.metaRoots(), branch, dirname(rel));
    for (const m of missing) {
      if (m.overWhiteout) {
        await this.makeOpaque(branch, m.dir);
        await this.removeWhiteout(m.dir, b);
      }
      if (m.before) this.inodes.inherit(m.before.stat, await this.fs.lstat(branch, m.dir));
    }
    this.invalidate(missing[0].dir);
  }

  async putWhiteout(rel: string, b: number): Promise<void> {
    await this.ensureParent(rel, b);
    await this.touchMarker(this.branches[b], join(dirname(rel), whiteoutName(basename(rel))));
    this.invalidate(rel);
  }

  async removeWhiteout(rel: string, b: number): Promise<void> {
    // Too long a name has no whiteout to remove, and unlink would fail with ENAMETOOLONG after the
    // rename or link that calls this already happened.
    if (!canWhiteout(basename(rel))) return;
    await this.fs.unlink(this.branches[b], join(dirname(rel), whiteoutName(basename(rel)))).catch((err) => {
      if (!hasErrno(err, 'ENOENT')) throw err;
    });
  }

  /**
   * Makes `dir` on `branch` opaque, keeping its atime and mtime: the marker is the union's bookkeeping,
   * not a change to the directory's entries (overlayfs marks one with an xattr), so a directory moved or
   * copied up keeps the times it had.
   */
  makeOpaque(branch: Branch, dir: string): Promise<void> {
    return keepingParentTimes(this.fs, branch, dir, () => this.touchMarker(branch, join(dir, OPAQUE_MARKER)));
  }

  /** An empty marker file (whiteout, opaque marker) at `rel` on `branch`, unless one is there. */
  async touchMarker(branch: Branch, rel: string): Promise<void> {
    try {
      await closeFd(await this.fs.open(branch, rel, constants.O_CREAT | constants.O_WRONLY | constants.O_EXCL, 0o444));
    } catch (err) {
      if (!hasErrno(err, 'EEXIST')) throw err;
    }
  }

  /** Whom a new entry must be given to by a chown: the caller, where the backend tells who that is and we may chown. */
  ownerFor(ctx: RequestContext | undefined): Owner | undefined {
    return ctx && this.isRoot && (ctx.uid !== 0 || ctx.gid !== 0) ? { uid: ctx.uid, gid: ctx.gid } : undefined;
  }

  /** New entries belong to the caller (see ownerFor). */
  async own(branch: Branch, rel: string, ctx: RequestContext | undefined): Promise<void> {
    const owner = this.ownerFor(ctx);
    if (owner) await this.fs.lchown(branch, rel, owner.uid, owner.gid);
  }

  /**
   * The highest branch at or above `top` that may hold a whiteout for `rel`: the branch itself when it
   * is rw, else the copy-up policy's choice.
   */
  async whiteoutBranch(rel: string, top: number): Promise<number> {
    if (this.branches[top].creatable) return top;
    const placement = await placeCopyup(this.placementDeps(), rel, top);
    if (!placement.result.ok) policyFailure(placement.result.errno);
    return placement.result.branches[0];
  }
}
