/**
 * A mounted union: the FUSE op table over an ordered list of branches, plus the control-channel
 * queries (where, preview, handles, stats) and live reconfiguration. One instance per worker process.
 */
import type { BranchStatus, HandleInfo, OpStats, PreviewResult, UnionConfig, UnionConfigPatch, WhereResult } from '../../common/contract.ts';
import { StrataError } from '../../common/errors.ts';
import { COPYUP_TMP_PREFIX } from '../../common/whiteout.ts';
import { formatPolicySetting, parsePolicySetting } from '../../common/policies/registry.ts';
import { CREATE_FUNCTIONS, type CreateFunction } from '../../common/policies/types.ts';
import type { DirectIoOps } from '../fuse/nativeOps.ts';
import { NO_RESOLVED_DIRS, type BackendCapabilities, type ResolvedDirs } from '../fuse/ops.ts';
import { ENOTDIR, fail } from '../sys/errno.ts';
import { LateCalls } from '../sys/lateCalls.ts';
import type { Syscalls } from '../sys/syscalls.ts';
import { type Branch, openBranches, workerRoots } from './branchSet.ts';
import { UnionCore } from './core.ts';
import * as attr from './ops/attr.ts';
import * as entries from './ops/entries.ts';
import * as files from './ops/files.ts';
import { readdir } from './ops/readdir.ts';
import * as remove from './ops/remove.ts';
import * as names from './ops/rename.ts';
import { statfs } from './ops/statfs.ts';
import { whereIs } from './ops/where.ts';
import * as xattr from './ops/xattr.ts';
import { createSettingFor } from './placement.ts';
import { previewNew } from './preview.ts';

export interface UnionDeps {
  sys: Syscalls;
  capabilities: BackendCapabilities;
  /** The backend's (FuseBackend.resolved); none when the union is never mounted. */
  resolved?: ResolvedDirs;
  now?: () => number;
  random?: () => number;
}

const BRANCH_SPACE_DEADLINE_MS = 1000;

export class Union {
  private readonly core: UnionCore;
  private readonly branchSpace = new LateCalls();
  readonly ops: DirectIoOps;
  private readonly startedAt = Date.now();
  /** Every branch this union has had, by root descriptor (roots stay open for the worker's life: BranchRoots). */
  private readonly byRoot = new Map<number, Branch>();

  /** Opens the branch roots (once per path for the worker's life, see BranchRoots) and builds the union. */
  static async open(config: UnionConfig, deps: UnionDeps): Promise<Union> {
    return new Union(config, await openBranches(config.branches, workerRoots), deps);
  }

  private constructor(
    config: UnionConfig,
    branches: Branch[],
    readonly deps: UnionDeps,
  ) {
    // Every mode this process passes is meant as it is; the caller's umask goes with each creation
    // (RequestContext.umask, native/common/caller_umask.h), which the kernel leaves to the union.
    process.umask(0);
    this.core = new UnionCore(
      config,
      branches,
      deps.sys,
      deps.capabilities,
      deps.now ?? Date.now,
      deps.random ?? Math.random,
      deps.resolved ?? NO_RESOLVED_DIRS,
    );
    this.rememberRoots(branches);
    const resolved = deps.resolved ?? NO_RESOLVED_DIRS;
    this.core.handles.kept = {
      list: () =>
        resolved.handles().flatMap((h) => {
          const branch = this.byRoot.get(h.root);
          return branch ? [{ fd: h.fd, branch, rel: h.path, flags: h.flags, openedAt: h.openedAt, kept: h.fh, ino: h.ino }] : [];
        }),
      repoint: (file, fd, to) => resolved.repointHandle(file.kept!, fd, to.fd),
      passedThrough: (fh) => resolved.passedThrough(fh),
    };
    // Not ops of their own: the open or rmdir was counted natively.
    this.ops = {
      ...this.countOps(this.buildOps()),
      forgetDir: async (p) => this.core.invalidate(p),
      repathed: async (p, to) => this.core.handles.renamed(p, to),
      grewDir: async (p, root) =>
        this.core.resolver.grew(
          p,
          this.core.branches.findIndex((b) => b.fd === root),
        ),
      copiedUp: (p, from, to, root, keptMoved) => this.core.copiedUpElsewhere(p, from, to, this.byRoot.get(root), keptMoved),
      publishedDir: async (p, roots, stat, gen) =>
        this.core.resolver.adopt(
          p,
          roots.map((root) => this.core.branches.findIndex((b) => b.fd === root)),
          stat,
          gen,
        ),
      writable: async (p) => void (await this.core.makeWritable(await this.core.node(p))),
      fileFlags: (p, cmd, arg, set) => attr.fileFlags(this.core, p, cmd, arg, set),
    };
    this.publishBranchModes();
  }

  private rememberRoots(branches: Branch[]): void {
    for (const b of branches) this.byRoot.set(b.fd, b);
  }

  /** The backend may open files itself unless moveonenospc must be able to move every handle (files.direct). */
  private publishBranchModes(): void {
    const c = this.core;
    const roots = (keep: (b: Branch) => boolean) => c.branches.filter(keep).map((b) => b.fd);
    this.deps.resolved?.branchModes({
      inPlace: roots((b) => b.modifiable),
      creatable: roots((b) => b.creatable),
      opens: c.config.moveOnEnospc === false,
      order: c.branches.map((b) => ({ root: b.fd, minFreeSpace: b.minFreeSpace ?? c.config.minFreeSpace })),
      create: Object.fromEntries(CREATE_FUNCTIONS.map((fn) => [fn, formatPolicySetting(parsePolicySetting(createSettingFor(c.config, fn)))])),
      copyupTdp: c.config.copyup === 'tdp',
      work: { dir: c.work.dir, tempPrefix: COPYUP_TMP_PREFIX, swept: roots((b) => c.work.isSwept(b)) },
      passthrough: c.config.passthrough,
    });
  }

  get config(): UnionConfig {
    return this.core.config;
  }

  private buildOps(): DirectIoOps {
    const c = this.core;
    return {
      openHandle: async (p, flags) => files.direct(c, await files.open(c, p, flags)),
      createHandle: (p, mode, flags, ctx) => files.createHandle(c, p, mode, flags, ctx),
      getattr: (p, fh) => attr.getattr(c, p, fh),
      readlink: (p) => attr.readlink(c, p),
      mknod: (p, mode, rdev, ctx) => entries.mknod(c, p, mode, rdev, ctx),
      mkdir: (p, mode, ctx) => entries.mkdir(c, p, mode, ctx),
      unlink: (p) => remove.unlink(c, p),
      rmdir: (p) => remove.rmdir(c, p),
      symlink: (target, p, ctx) => entries.symlink(c, target, p, ctx),
      rename: (from, to, flags) => names.rename(c, from, to, flags),
      link: (from, to) => names.link(c, from, to),
      chmod: (p, mode, fh) => attr.chmod(c, p, mode, fh),
      chown: (p, uid, gid) => attr.chown(c, p, uid, gid),
      truncate: (p, size, fh) => attr.truncate(c, p, size, fh),
      utimens: (p, atime, mtime) => attr.utimens(c, p, atime, mtime),
      open: (p, flags) => files.open(c, p, flags),
      create: (p, mode, flags, ctx) => files.create(c, p, mode, flags, ctx),
      read: (_p, fh, buf, len, pos) => files.read(c, fh, buf, len, pos),
      write: (_p, fh, buf, len, pos) => files.write(c, fh, buf, len, pos),
      flush: () => files.flush(),
      release: (_p, fh) => files.release(c, fh),
      fsync: (_p, fh, datasync) => files.fsyncFile(c, fh, datasync),
      fallocate: (_p, fh, mode, offset, length) => files.fallocate(c, fh, mode, offset, length),
      lseek: (_p, fh, offset, whence) => files.seek(c, fh, offset, whence),
      opendir: async (p) => {
        if (!(await c.node(p)).isDir) fail(ENOTDIR);
        return 0;
      },
      readdir: (p) => readdir(c, p),
      releasedir: async () => undefined,
      fsyncdir: (p, datasync) => files.fsyncDir(c, p, datasync),
      statfs: () => statfs(c),
      access: (p, mode) => attr.access(c, p, mode),
      setxattr: (p, name, value, flags) => xattr.setxattr(c, p, name, value, flags),
      getxattr: (p, name) => xattr.getxattr(c, p, name),
      listxattr: (p) => xattr.listxattr(c, p),
      removexattr: (p, name) => xattr.removexattr(c, p, name),
    };
  }

  /** Per-op counters for `stats` (the activity chart), added once around every op. */
  private countOps(ops: DirectIoOps): DirectIoOps {
    const counts = this.core.counters.ops;
    const wrapped = {} as Record<string, unknown>;
    for (const [name, fn] of Object.entries(ops) as [string, (...a: unknown[]) => unknown][]) {
      counts[name] = 0;
      wrapped[name] = (...args: unknown[]) => {
        counts[name]++;
        return fn(...args);
      };
    }
    return wrapped as unknown as DirectIoOps;
  }

  /**
   * Apply a config change live. The caller (worker) validated paths and the busy guard already; here
   * the union refuses only what would break its own open handles: removing a branch that has them.
   */
  /** A change made directly in a branch altered what directory `rel` merges. */
  branchChanged(rel: string): void {
    this.core.invalidate(rel);
  }

  async reconfigure(patch: UnionConfigPatch, force = false): Promise<UnionConfig> {
    const next: UnionConfig = { ...this.core.config, ...patch, mountpoint: this.core.config.mountpoint };
    for (const s of [next.create, ...Object.values(next.createOverrides)]) if (s) parsePolicySetting(s);
    if (typeof next.moveOnEnospc === 'string') parsePolicySetting(next.moveOnEnospc);
    const kept = new Set(next.branches.map((b) => b.path));
    const dropped = new Set(this.core.branches.filter((b) => !kept.has(b.root)));
    const held = this.core.handles.on(dropped);
    if (held.length > 0 && !force) {
      throw new StrataError(
        'BUSY',
        `cannot remove branch ${[...new Set(held.map((h) => h.branch.root))].join(', ')}: ${held.length} open file(s) on it (${held
          .slice(0, 3)
          .map((h) => h.rel)
          .join(', ')}); close them or use --force`,
      );
    }
    const branches = await openBranches(next.branches, workerRoots);
    // Branch objects that did not change keep their identity, so open handles stay attributed.
    this.core.branches = branches.map((b) => this.core.branches.find((o) => o.root === b.root && o.mode === b.mode && o.minFreeSpace === b.minFreeSpace) ?? b);
    this.core.config = next;
    this.core.policyState = {};
    this.rememberRoots(this.core.branches);
    this.publishBranchModes();
    this.core.resolver.clear();
    return next;
  }

  /**
   * Clears what a killed worker of this union left in the branches' work directories (see workDirs.ts);
   * copy-ups to a branch wait for its sweep. Resolves with the failures, which do not stop the mount.
   */
  async sweepWorkDirs(): Promise<string[]> {
    const results = await Promise.allSettled(this.core.branches.map((b) => this.core.work.sweep(b)));
    this.publishBranchModes();
    return results.flatMap((r, i) => (r.status === 'rejected' ? [`${this.core.branches[i].root}: ${(r.reason as Error).message}`] : []));
  }

  async branchStatus(): Promise<BranchStatus[]> {
    return Promise.all(
      this.core.branches.map(async (b, index): Promise<BranchStatus> => {
        const base = { index, path: b.root, mode: b.mode, ...(b.minFreeSpace !== undefined ? { minFreeSpace: b.minFreeSpace } : {}) };
        try {
          // A branch may itself be a union that has stopped answering: its figures are then left out.
          const v = await this.branchSpace.run(b.root, BRANCH_SPACE_DEADLINE_MS, () => this.core.fs.statvfs(b));
          const fr = BigInt(v.frsize || v.bsize);
          return {
            ...base,
            total: Number(v.blocks * fr),
            avail: Number(v.bavail * fr),
            used: Number((v.blocks - v.bfree) * fr),
            mountedReadOnly: (v.flag & 1) !== 0,
          };
        } catch (err) {
          return { ...base, error: (err as Error).message };
        }
      }),
    );
  }

  stats(): OpStats {
    const c = this.core.counters;
    return {
      at: Date.now(),
      ops: { ...c.ops },
      served: {},
      bytesRead: c.bytesRead,
      bytesWritten: c.bytesWritten,
      openHandles: this.core.handles.size,
      copyups: c.copyups,
    };
  }

  get started(): number {
    return this.startedAt;
  }

  where(relPath: string): Promise<WhereResult> {
    return whereIs(this.core, this.core.config.mountpoint, normalizeRel(relPath));
  }

  preview(relPath: string, fn: CreateFunction = 'create'): Promise<PreviewResult> {
    const c = this.core;
    const deps = { ...c.placementDeps(), state: structuredClone(c.policyState) };
    return previewNew(deps, c.resolver, c.config.mountpoint, normalizeRel(relPath), fn);
  }

  /**
   * Once the mount is gone: closes the branch roots, so a branch filesystem can be unmounted as soon
   * as the union is (the worker itself lingers a moment to answer its client).
   */
  release(): Promise<void> {
    return workerRoots.close();
  }

  handles(): HandleInfo[] {
    return this.core.handles.info(this.core.branches);
  }
}

/** Union-relative path: leading slash, no trailing slash, no `.`/`..` escapes. */
export function normalizeRel(p: string): string {
  const parts: string[] = [];
  for (const part of p.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new StrataError('INVALID_ARGUMENT', `path '${p}' leaves the union; give a path inside it`);
    parts.push(part);
  }
  return '/' + parts.join('/');
}
