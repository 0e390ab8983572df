/**
 * Everything the desktop app and `strata serve` do, in plain Node: saved unions joined with live mounts,
 * mount/unmount with the busy guard, live changes, previews, the mapped-files snapshot and activity
 * sampling, plus the events the renderer listens to. Electron main and the HTTP server are thin shells
 * around one instance of this class.
 */
import { EventEmitter } from 'node:events';
import type { ApiEvents, EventName, PolicyCatalog, PolicyInfo, StatsSample, UnionDefinition, UnionSummary } from '../../common/api.ts';
import type { BranchStatus, MountStatus, PreviewResult, UnionConfig, UnionConfigPatch, WhereResult } from '../../common/contract.ts';
import { isSameOrInside } from '../../common/absolutePath.ts';
import { StrataError } from '../../common/errors.ts';
import { defaultOptions } from '../../common/unionConfig.ts';
import { exportUnion, type UnionExport } from '../../common/export/unionExport.ts';
import type { MapsSnapshot } from '../../common/maps.ts';
import { NoticeTrigger, refusalNotice } from '../../common/notices.ts';
import { listCopyupPolicies, listCreatePolicies, type PolicyInfo as RegistryPolicyInfo } from '../../common/policies/registry.ts';
import type { CreateFunction } from '../../common/policies/types.ts';
import type { BusyGuard } from '../mounts/manager.ts';
import { busyGuard } from '../tracker/guardHooks.ts';
import { appPhrasing } from './busyMessages.ts';
import type { MountBackend, OfflinePreview, TrackerSource } from './ports.ts';
import { spaceOf } from './space.ts';
import { StatsSampler } from './statsSampler.ts';
import type { UnionStore } from './unionStore.ts';

export interface ServiceDeps {
  store: UnionStore;
  backend: MountBackend;
  tracker: TrackerSource;
  offlinePreview: OfflinePreview;
  /** Mountpoints of the Strata mounts in the kernel's table: cheap, read every tick to notice outside changes. */
  mountedPoints: () => Promise<string[]>;
  /** Milliseconds between activity samples while watched; 0 disables the timer (tests call tick()). */
  tickMs?: number;
  /** Calls back when the kernel's mount table changes; returns the function that stops. */
  watchMounts?: (onChange: () => void) => () => void;
  log?: (line: string) => void;
}

export interface StopReport {
  unmounted: string[];
  /** Unions left mounted, each with the reason (the busy guard's sentence, or the failure). */
  failed: { mountpoint: string; message: string; details?: unknown }[];
}

/** Notices (branch below its minimum, a dead worker) are checked every this many ticks. */
const NOTICE_EVERY_TICKS = 3;

/** Fields that decide where a new entry lands: equal fields mean the worker's own preview is the answer. */
function placementKey(c: UnionConfig): string {
  return JSON.stringify([c.branches, c.create, c.createOverrides, c.minFreeSpace]);
}

/**
 * A mount whose worker may take a live change. 'error' counts: a worker that missed one status deadline
 * under load usually answers the next request, and if it does not, the reconfigure says so.
 */
function isReachable(status: MountStatus | undefined): status is MountStatus {
  return status !== undefined && status.state !== 'stale';
}

/** What is known of a mount that never told its config: where it is and its name, no branches. */
function unknownConfig(s: MountStatus): UnionConfig {
  return {
    mountpoint: s.mountpoint,
    name: s.name,
    branches: [],
    ...defaultOptions(),
  };
}

async function stoppedBranches(config: UnionConfig): Promise<BranchStatus[]> {
  return Promise.all(
    config.branches.map(async (b, index) => {
      const space = await spaceOf(b.path);
      const status: BranchStatus = { index, path: b.path, mode: b.mode, total: space.total, avail: space.avail, used: space.used };
      if (b.minFreeSpace !== undefined) status.minFreeSpace = b.minFreeSpace;
      if (space.error) status.error = space.error;
      return status;
    }),
  );
}

export class StrataService {
  private definitions: UnionDefinition[] = [];
  /** Unions this process mounted: the ones to unmount on quit (CLI mounts are left alone). */
  private readonly owned = new Set<string>();
  /** The last mount failure per saved union, shown as state 'error' until the next attempt. */
  private readonly problems = new Map<string, string>();
  /** Configs of live mounts from the last list(), for mounts the app did not save. */
  private readonly liveConfigs = new Map<string, UnionConfig>();
  /** The last status each mounted union answered with, for the rows of unions that stop answering. */
  private readonly lastAnswered = new Map<string, MountStatus>();
  /** The last config each mount was seen with, kept after its worker died: what recover() mounts. */
  private readonly lastConfigs = new Map<string, UnionConfig>();
  private readonly notices = new NoticeTrigger();
  private ticks = 0;
  private readonly events = new EventEmitter();
  private readonly sampler: StatsSampler;
  /** The one busy guard, in the app's words; the backend does not guard again. */
  private readonly guard: BusyGuard;
  private mountSignature = '';
  private listeners = 0;
  private started = false;
  private readonly unwatch: (() => void)[] = [];
  private stopStoreWatch?: () => void;
  private ticking = false;

  constructor(private readonly deps: ServiceDeps) {
    this.sampler = new StatsSampler((mp) => deps.backend.stats(mp));
    this.guard = busyGuard((target) => deps.tracker.checkBusy(target), appPhrasing);
  }

  /**
   * Listeners are what make the service work in the background: only while someone listens (an SSE
   * client, an Electron window) does it sample activity, rescan /proc and follow the mount table. An
   * idle `strata serve` costs nothing.
   */
  on<E extends EventName>(event: E, listener: (data: ApiEvents[E]) => void): () => void {
    this.events.on(event, listener);
    if (++this.listeners === 1 && this.started) this.watch();
    let off = false;
    return () => {
      if (off) return;
      off = true;
      this.events.off(event, listener);
      if (--this.listeners === 0) this.unwatchAll();
    };
  }

  private emit<E extends EventName>(event: E, data: ApiEvents[E]): void {
    this.events.emit(event, data);
  }

  private changed(): void {
    this.emit('unions:changed', { at: Date.now() });
  }

  private log(line: string): void {
    this.deps.log?.(line);
  }

  /** Loads saved unions, sweeps stale mounts, mounts the auto-mount ones; watches once someone listens. */
  async start(): Promise<void> {
    this.definitions = await this.deps.store.load();
    this.stopStoreWatch = this.deps.store.watch?.(() => void this.reloadDefinitions());
    // Best effort: a stale mount that cannot be cleared must not keep the app from starting.
    const swept = await this.deps.backend.sweepStale().catch((err: Error) => {
      this.log(`Could not clear stale mounts: ${err.message}`);
      return [];
    });
    for (const mp of swept) this.log(`Cleaned up stale mount ${mp} (its worker had died).`);
    const mounted = new Set(await this.deps.mountedPoints());
    for (const def of this.definitions.filter((d) => d.autoMount && !mounted.has(d.config.mountpoint))) {
      await this.mount(def.config.mountpoint).catch((err: Error) => this.log(`Auto-mount of ${def.config.mountpoint} failed: ${err.message}`));
    }
    this.started = true;
    if (this.listeners > 0) this.watch();
  }

  stop(): void {
    this.started = false;
    this.unwatchAll();
    this.stopStoreWatch?.();
    this.stopStoreWatch = undefined;
  }

  private watch(): void {
    if (this.unwatch.length > 0) return;
    this.unwatch.push(this.deps.tracker.watch((change) => this.emit('maps:changed', { at: change.at })));
    if (this.deps.watchMounts) this.unwatch.push(this.deps.watchMounts(() => void this.tick()));
    if (this.deps.tickMs) {
      const timer = setInterval(() => void this.tick(), this.deps.tickMs);
      timer.unref();
      this.unwatch.push(() => clearInterval(timer));
    }
    // What changed while nobody watched (a union mounted with the CLI) is told at once.
    void this.tick();
  }

  private unwatchAll(): void {
    for (const stop of this.unwatch.splice(0)) stop();
  }

  /** Another process (a second window, `strata serve`) saved the union list: take its version. */
  private async reloadDefinitions(): Promise<void> {
    try {
      this.definitions = await this.deps.store.load();
      this.changed();
    } catch (err) {
      this.log(`Could not reload ${this.deps.store.path}: ${(err as Error).message}`);
    }
  }

  /** Unmounts the unions this process mounted (the desktop app on quit); busy ones stay unless `force`. */
  async unmountOwned(force = false): Promise<StopReport> {
    const report: StopReport = { unmounted: [], failed: [] };
    for (const mp of [...this.owned]) {
      try {
        await this.unmount(mp, force);
        report.unmounted.push(mp);
      } catch (err) {
        const e = err instanceof StrataError ? err : new StrataError('INTERNAL', (err as Error).message);
        report.failed.push({ mountpoint: mp, message: e.message, details: e.details });
      }
    }
    return report;
  }

  /** One activity sample of every mounted union; also notices mounts that appeared or vanished outside the app. */
  async tick(): Promise<StatsSample[]> {
    if (this.ticking) return [];
    this.ticking = true;
    try {
      const mountpoints = (await this.deps.mountedPoints()).sort();
      const signature = mountpoints.join('\n');
      if (signature !== this.mountSignature) {
        this.mountSignature = signature;
        this.changed();
      }
      const samples = await this.sampler.sample(
        mountpoints.map((mountpoint) => ({
          mountpoint,
          branchRoots: (this.definition(mountpoint)?.config ?? this.liveConfigs.get(mountpoint))?.branches.map((b) => b.path) ?? [],
        })),
      );
      for (const s of samples) this.emit('stats:tick', s);
      if (++this.ticks % NOTICE_EVERY_TICKS === 0) await this.checkNotices();
      return samples;
    } finally {
      this.ticking = false;
    }
  }

  /** Reads the unions list and announces what started going wrong since the last check. */
  async checkNotices(): Promise<void> {
    try {
      for (const notice of this.notices.observe(await this.list(), Date.now())) this.emit('notice', notice);
    } catch (err) {
      this.log(`Could not check the unions for notices: ${(err as Error).message}`);
    }
  }

  /** Rethrows the busy guard's refusal, announced as a notice too (the tray has no error banner). */
  private refused(mountpoint: string, err: unknown): never {
    if ((err as StrataError).code === 'BUSY') this.emit('notice', refusalNotice(mountpoint, (err as Error).message, Date.now()));
    throw err;
  }

  private definition(mountpoint: string): UnionDefinition | undefined {
    return this.definitions.find((d) => d.config.mountpoint === mountpoint);
  }

  private async summary(def: UnionDefinition | undefined, status: MountStatus | undefined): Promise<UnionSummary> {
    // A dead worker's mount has no config left; the last one seen keeps it listed, to recover.
    const config = status?.config ?? def?.config ?? (status && this.lastConfigs.get(status.mountpoint));
    if (!config) throw new StrataError('NOT_FOUND', 'No such union.');
    const problem = status?.problem ?? (status ? undefined : this.problems.get(config.mountpoint));
    const branches = status && status.branches.length > 0 ? status.branches : await stoppedBranches(config);
    const row: UnionSummary = {
      mountpoint: config.mountpoint,
      name: def?.config.name ?? config.name,
      state: status?.state ?? (problem ? 'error' : 'stopped'),
      mountExists: status !== undefined,
      saved: def !== undefined,
      autoMount: def?.autoMount ?? false,
      config: def && !status?.config ? def.config : config,
      branches,
      checkedAt: status && status.branches.length > 0 ? (status.checkedAt ?? Date.now()) : Date.now(),
    };
    if (status?.pid !== undefined) row.pid = status.pid;
    if (status?.hungSince !== undefined) row.hungSince = status.hungSince;
    if (status?.origin) row.origin = status.origin;
    if (problem) row.problem = problem;
    return row;
  }

  /**
   * Every mount's status; a union that does not answer keeps the config and branches it last reported,
   * with the time they were read (checkedAt), so the list still says what it is.
   */
  private async statuses(): Promise<MountStatus[]> {
    const now = await this.deps.backend.list();
    const live = new Set(now.map((s) => s.mountpoint));
    for (const mp of this.lastAnswered.keys()) if (!live.has(mp)) this.lastAnswered.delete(mp);
    return now.map((s) => {
      if (s.config) {
        this.lastAnswered.set(s.mountpoint, s);
        return s;
      }
      const last = s.state === 'hung' ? this.lastAnswered.get(s.mountpoint) : undefined;
      return last ? { ...s, config: last.config, branches: last.branches, checkedAt: last.checkedAt } : s;
    });
  }

  private async status(mountpoint: string): Promise<MountStatus | undefined> {
    return (await this.statuses()).find((s) => s.mountpoint === mountpoint);
  }

  async list(): Promise<UnionSummary[]> {
    const statuses = await this.statuses();
    this.liveConfigs.clear();
    for (const s of statuses) {
      if (!s.config) continue;
      this.liveConfigs.set(s.mountpoint, s.config);
      this.lastConfigs.set(s.mountpoint, s.config);
    }
    const byMountpoint = new Map(statuses.map((s) => [s.mountpoint, s]));
    const saved = this.definitions.map((d) => this.summary(d, byMountpoint.get(d.config.mountpoint)));
    // Also this installation's mounts that cannot tell their config (stale, hung before they ever
    // answered), so the app can offer their clean-up; not those of other users or installations.
    const unsaved = statuses
      .filter((s) => !this.definition(s.mountpoint) && (s.config || s.state === 'stale' || s.state === 'hung'))
      // A dead worker's union keeps the config it was last seen with: what recover() mounts again.
      .map((s) => this.summary(undefined, s.config ? s : { ...s, config: this.lastConfigs.get(s.mountpoint) ?? unknownConfig(s) }));
    return Promise.all([...saved, ...unsaved]);
  }

  private async get(mountpoint: string): Promise<UnionSummary> {
    return this.summary(this.definition(mountpoint), await this.status(mountpoint));
  }

  /** Applies one entry's change to the saved list as it is on disk now (other processes save too). */
  private async persist(change: (current: UnionDefinition[]) => UnionDefinition[]): Promise<void> {
    this.definitions = await this.deps.store.update(change);
    this.changed();
  }

  async save(definition: UnionDefinition, previousMountpoint?: string): Promise<UnionSummary> {
    const mp = definition.config.mountpoint;
    const isNew = previousMountpoint === undefined;
    if (isNew && this.definition(mp)) {
      throw new StrataError('ALREADY_MOUNTED', `A union is already saved at ${mp}: edit that one, or choose another mountpoint.`);
    }
    if (!isNew && previousMountpoint !== mp) {
      if (await this.status(previousMountpoint)) {
        throw new StrataError('ALREADY_MOUNTED', `${previousMountpoint} is mounted: unmount it before moving the union to ${mp}.`);
      }
      if (this.definition(mp)) throw new StrataError('ALREADY_MOUNTED', `A union is already saved at ${mp}: choose another mountpoint.`);
    }
    const live = await this.status(mp);
    if (isReachable(live)) {
      const { mountpoint: _, ...patch } = definition.config;
      await this.applyLive(mp, patch, live);
    }
    await this.persist((list) => [...list.filter((d) => d.config.mountpoint !== (previousMountpoint ?? mp)), definition]);
    return this.get(mp);
  }

  async delete(mountpoint: string): Promise<void> {
    if (!this.definition(mountpoint)) throw new StrataError('NOT_FOUND', `No saved union at ${mountpoint}.`);
    if (await this.status(mountpoint)) {
      throw new StrataError('ALREADY_MOUNTED', `${mountpoint} is mounted: unmount it before deleting the union.`);
    }
    this.problems.delete(mountpoint);
    await this.persist((list) => list.filter((d) => d.config.mountpoint !== mountpoint));
  }

  async mount(mountpoint: string): Promise<UnionSummary> {
    const def = this.definition(mountpoint);
    if (!def) throw new StrataError('NOT_FOUND', `No saved union at ${mountpoint}: save it first.`);
    try {
      await this.deps.backend.mount(def.config);
      this.problems.delete(mountpoint);
      this.owned.add(mountpoint);
    } catch (err) {
      this.problems.set(mountpoint, (err as Error).message);
      throw err;
    } finally {
      this.changed();
    }
    return this.get(mountpoint);
  }

  async unmount(mountpoint: string, force = false): Promise<UnionSummary | null> {
    if (!force) await this.guard.beforeUnmount(mountpoint).catch((err: unknown) => this.refused(mountpoint, err));
    await this.deps.backend.unmount(mountpoint, force);
    this.owned.delete(mountpoint);
    this.changed();
    return this.definition(mountpoint) ? this.get(mountpoint) : null;
  }

  async setLive(mountpoint: string, patch: UnionConfigPatch): Promise<UnionSummary> {
    const live = await this.status(mountpoint);
    if (!isReachable(live)) throw new StrataError('NOT_MOUNTED', `${mountpoint} is not mounted: save the change instead; it applies at the next mount.`);
    const config = await this.applyLive(mountpoint, patch, live);
    const def = this.definition(mountpoint);
    if (def) {
      await this.persist((list) => list.map((d) => (d.config.mountpoint === mountpoint ? { ...d, config } : d)));
    } else {
      this.changed();
    }
    return this.get(mountpoint);
  }

  /**
   * Reconfigures a mounted union with aufs' guards: a branch that processes use is not removed, and a
   * branch with files open for writing does not become read-only.
   */
  private async applyLive(mountpoint: string, patch: UnionConfigPatch, live: MountStatus): Promise<UnionConfig> {
    const current = live.config ?? this.definition(mountpoint)?.config;
    if (current) await this.guard.beforeReconfigure(mountpoint, patch, current.branches).catch((err: unknown) => this.refused(mountpoint, err));
    return this.deps.backend.reconfigure(mountpoint, patch);
  }

  /**
   * Mounts again a union whose worker died. A saved one mounts as usual; one mounted from outside the
   * app (CLI, fstab) is mounted by the app from the config it was last seen with, and so becomes the app's.
   */
  async recover(mountpoint: string): Promise<UnionSummary> {
    if (this.definition(mountpoint)) return this.mount(mountpoint);
    const config = this.lastConfigs.get(mountpoint);
    if (!config) throw new StrataError('NOT_FOUND', `Strata has not seen ${mountpoint} mounted: mount it again with strata mount.`);
    await this.deps.backend.mount(config);
    this.owned.add(mountpoint);
    this.changed();
    return this.get(mountpoint);
  }

  async exportForms(mountpoint: string): Promise<UnionExport> {
    const config = this.definition(mountpoint)?.config ?? (await this.status(mountpoint))?.config;
    if (!config) throw new StrataError('NOT_FOUND', `No union at ${mountpoint}: strata list shows the mounted ones.`);
    return exportUnion(config);
  }

  where(mountpoint: string, relPath: string): Promise<WhereResult> {
    return this.deps.backend.where(mountpoint, relPath);
  }

  async preview(config: UnionConfig, relPath: string, fn: CreateFunction): Promise<PreviewResult> {
    const statuses = await this.statuses();
    const live = statuses.find((s) => s.mountpoint === config.mountpoint);
    if (live?.state === 'mounted' && live.config && placementKey(live.config) === placementKey(config)) {
      return this.deps.backend.preview(config.mountpoint, relPath, fn);
    }
    // The offline preview reads the branches: one on a union that does not answer would never return.
    for (const b of config.branches) {
      const stuck = statuses.find((s) => (s.state === 'hung' || s.state === 'stale') && isSameOrInside(b.path, s.mountpoint));
      if (stuck) {
        throw new StrataError(
          'TIMEOUT',
          `Branch ${b.path} lies on ${stuck.mountpoint}, which is ${stuck.state === 'hung' ? 'not responding' : 'stale'}: no preview until that union is cleared.`,
        );
      }
    }
    return this.deps.offlinePreview(config, relPath, fn);
  }

  async mapsSnapshot(): Promise<MapsSnapshot> {
    return { ...(await this.deps.tracker.snapshot()), asRoot: process.getuid?.() === 0 };
  }

  statsHistory(mountpoint: string): StatsSample[] {
    return this.sampler.get(mountpoint);
  }

  policies(): PolicyCatalog {
    const info = ({ name, family, form, args, summary }: RegistryPolicyInfo): PolicyInfo => ({ name, family, form, args, summary });
    return { create: listCreatePolicies().map(info), copyup: listCopyupPolicies().map(info) };
  }
}
