/**
 * The StrataService every host runs, wired to the real manager, tracker and engine. Hosts differ only in
 * how workers are spawned (`strata serve`: detached processes; Electron: utility processes).
 */
import { strataMounts } from '../mounts/mountTable.ts';
import type { SpawnOptions } from '../mounts/spawnWorker.ts';
import { loadSyscalls } from '../sys/load.ts';
import { watchMountTable } from '../sys/mountWatch.ts';
import { managerBackend } from './managerBackend.ts';
import { offlinePreviewer } from './offlinePreview.ts';
import type { WorkerSpawner } from './ports.ts';
import { StrataService } from './strataService.ts';
import { liveTracker } from './trackerSource.ts';
import { defaultStorePath, UnionStore } from './unionStore.ts';

export interface HostOptions {
  spawn?: SpawnOptions & { spawner?: WorkerSpawner };
  log?: (line: string) => void;
}

export function createStrataService(host: HostOptions = {}): StrataService {
  return new StrataService({
    store: new UnionStore(defaultStorePath()),
    backend: managerBackend({ ...host.spawn, launch: { origin: 'app' } }),
    tracker: liveTracker(),
    offlinePreview: offlinePreviewer(loadSyscalls),
    mountedPoints: async () => (await strataMounts()).map((m) => m.mountpoint),
    tickMs: 1000,
    watchMounts: watchMountTable,
    log: host.log,
  });
}
