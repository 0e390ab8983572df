/**
 * What StrataService needs from the rest of Strata, as narrow interfaces: the mount manager (one worker
 * process per mount), the mapping tracker, and union-free helpers. The CLI's `serve`, the Electron main
 * process and the unit tests each plug in their own implementations (createService.ts wires the real ones).
 */
import type { MountStatus, OpStats, PreviewResult, UnionConfig, UnionConfigPatch, WhereResult } from '../../common/contract.ts';
import type { BusyReport, MapsChange, MapsSnapshot } from '../../common/maps.ts';
import type { CreateFunction } from '../../common/policies/types.ts';
import type { BusyTarget } from '../tracker/guard.ts';

export interface MountBackend {
  /** Every Strata mount on the machine (also those mounted by the CLI), with branch space. */
  list(): Promise<MountStatus[]>;
  /** Validates, spawns the worker and resolves once the union serves. */
  mount(config: UnionConfig): Promise<void>;
  /** Clean unmount; `force` detaches lazily even while files are open. */
  unmount(mountpoint: string, force: boolean): Promise<void>;
  reconfigure(mountpoint: string, patch: UnionConfigPatch): Promise<UnionConfig>;
  where(mountpoint: string, relPath: string): Promise<WhereResult>;
  preview(mountpoint: string, relPath: string, fn: CreateFunction): Promise<PreviewResult>;
  stats(mountpoint: string): Promise<OpStats>;
  /** Lazily unmounts Strata mounts whose worker died; returns their mountpoints. */
  sweepStale(): Promise<string[]>;
}

export interface TrackerSource {
  snapshot(): Promise<MapsSnapshot>;
  /** Calls `listener` whenever the set of mapped/open files changes; returns a function that stops. */
  watch(listener: (change: MapsChange) => void): () => void;
  /** The busy guard: who uses the union, or some of its branches (optionally only for writing). */
  checkBusy(target: BusyTarget): Promise<BusyReport>;
}

/** Where a new entry would land under a union that is not mounted (or a draft of one). */
export type OfflinePreview = (config: UnionConfig, relPath: string, fn: CreateFunction) => Promise<PreviewResult>;

export type { WorkerProcess, WorkerSpawner } from '../mounts/workerProcess.ts';
