/**
 * In-memory stand-ins for StrataService's ports: a mount backend that "mounts" by remembering the
 * config, and a tracker whose busy answers a test sets. Branch folders are real temp directories, so
 * the store and the space figures run for real.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import type { MountStatus, OpStats, PreviewResult, UnionConfig, UnionConfigPatch, WhereResult } from '../../main/common/contract.ts';
import { StrataError } from '../../main/common/errors.ts';
import { buildUnionConfig } from '../../main/common/unionConfig.ts';
import type { BusyReport, MapsChange, MapsSnapshot } from '../../main/common/maps.ts';
import type { MountBackend, TrackerSource } from '../../main/node/service/ports.ts';
import type { BusyTarget } from '../../main/node/tracker/guard.ts';
import { StrataService } from '../../main/node/service/strataService.ts';
import { UnionStore } from '../../main/node/service/unionStore.ts';

export class FakeBackend implements MountBackend {
  readonly mounts = new Map<string, UnionConfig>();
  readonly calls: string[] = [];
  failMount: StrataError | null = null;
  stale: string[] = [];
  ops = 0;

  async list(): Promise<MountStatus[]> {
    return [...this.mounts.values()].map((config) => ({
      mountpoint: config.mountpoint,
      name: config.name,
      state: 'mounted',
      pid: 1234,
      config,
      branches: config.branches.map((b, index) => ({ index, path: b.path, mode: b.mode, total: 100, avail: 40, used: 60 })),
    }));
  }
  async mount(config: UnionConfig): Promise<void> {
    this.calls.push(`mount ${config.mountpoint}`);
    if (this.failMount) throw this.failMount;
    this.mounts.set(config.mountpoint, config);
  }
  async unmount(mountpoint: string, force: boolean): Promise<void> {
    this.calls.push(`unmount ${mountpoint}${force ? ' force' : ''}`);
    this.mounts.delete(mountpoint);
  }
  async reconfigure(mountpoint: string, patch: UnionConfigPatch): Promise<UnionConfig> {
    this.calls.push(`reconfigure ${mountpoint} ${Object.keys(patch).sort().join(',')}`);
    const next = { ...this.mounts.get(mountpoint)!, ...patch };
    this.mounts.set(mountpoint, next);
    return next;
  }
  async where(mountpoint: string, relPath: string): Promise<WhereResult> {
    return { mountpoint, relPath, exists: false, servingBranch: null, servingPath: null, copies: [], whiteouts: [], opaque: [] };
  }
  async preview(mountpoint: string, relPath: string): Promise<PreviewResult> {
    this.calls.push(`preview ${mountpoint}`);
    return { mountpoint, relPath, fn: 'create', policy: 'worker', ok: true, branch: 0, createsParents: [], excluded: [] };
  }
  async stats(mountpoint: string): Promise<OpStats> {
    if (!this.mounts.has(mountpoint)) throw new StrataError('NOT_MOUNTED', 'gone');
    return { at: Date.now(), ops: { read: this.ops }, served: {}, bytesRead: this.ops * 100, bytesWritten: 0, openHandles: 0, copyups: 0 };
  }
  async sweepStale(): Promise<string[]> {
    return this.stale;
  }
}

export class FakeTracker implements TrackerSource {
  busy = new Map<string, BusyReport>();
  listener: ((c: MapsChange) => void) | null = null;
  async snapshot(): Promise<MapsSnapshot> {
    return { at: 1, entries: [], uninspectable: [] };
  }
  watch(listener: (c: MapsChange) => void): () => void {
    this.listener = listener;
    return () => {
      this.listener = null;
    };
  }
  readonly busyQuestions: BusyTarget[] = [];
  /** Answers from `busy`, keyed 'MOUNTPOINT#*' for the whole union, 'MOUNTPOINT#ROOT' or 'MOUNTPOINT#ROOT#w' for branches. */
  async checkBusy(target: BusyTarget): Promise<BusyReport> {
    this.busyQuestions.push(target);
    const keys = target.branchRoots?.map((r) => `${target.mountpoint}#${r}${target.writersOnly ? '#w' : ''}`) ?? [`${target.mountpoint}#*`];
    const found = keys.map((k) => this.busy.get(k)).find((r) => r?.busy);
    return found ?? { busy: false, users: [] };
  }
}

// Made while a test file is collected or run, removed once it is done.
const madeDirs: string[] = [];
afterAll(() => {
  for (const dir of madeDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

export function tempDir(prefix = 'desktop-unit-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  madeDirs.push(dir);
  return dir;
}

export function serviceWithFakes(dir = tempDir()) {
  const backend = new FakeBackend();
  const tracker = new FakeTracker();
  const store = new UnionStore(join(dir, 'config', 'unions.json'));
  const offline: string[] = [];
  const logs: string[] = [];
  const service = new StrataService({
    log: (line) => logs.push(line),
    store,
    backend,
    tracker,
    offlinePreview: async (config, relPath, fn) => {
      offline.push(config.mountpoint);
      return { mountpoint: config.mountpoint, relPath, fn, policy: 'offline', ok: true, branch: 0, createsParents: [], excluded: [] };
    },
    mountedPoints: async () => [...backend.mounts.keys()],
  });
  return { service, backend, tracker, store, dir, offline, logs };
}

/** A union of DIR/b0 (rw) over DIR/b1 (ro) on DIR/mnt, with the CLI's defaults for everything else. */
export function unionConfig(dir: string, over: Partial<UnionConfig> = {}): UnionConfig {
  return { ...buildUnionConfig(join(dir, 'mnt'), [`${dir}/b0=rw`, `${dir}/b1=ro`], { name: 'u' }), ...over };
}
