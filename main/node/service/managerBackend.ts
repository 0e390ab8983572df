/**
 * MountBackend over the real mount manager (main/node/mounts): workers spawned as detached processes
 * and queried over their control sockets.
 */
import { listUnions, mountUnion, queryUnion, reconfigureUnion, unmountUnion } from '../mounts/manager.ts';
import type { SpawnOptions } from '../mounts/spawnWorker.ts';
import { sweepStaleMounts } from '../mounts/stale.ts';
import type { MountBackend } from './ports.ts';

const STATS_TIMEOUT_MS = 1000;

export function managerBackend(spawn: SpawnOptions = {}): MountBackend {
  return {
    list: listUnions,
    async mount(config) {
      const worker = await mountUnion(config, spawn);
      // The worker outlives this process by design; do not let its handle keep our event loop alive.
      worker.process.detach();
    },
    async unmount(mountpoint, force) {
      // StrataService ran the busy guard already, in the app's words.
      await unmountUnion(mountpoint, { force, guard: null });
    },
    reconfigure: (mountpoint, patch) => reconfigureUnion(mountpoint, patch, { guard: null }),
    where: (mountpoint, relPath) => queryUnion(mountpoint, { op: 'where', relPath }),
    preview: (mountpoint, relPath, fn) => queryUnion(mountpoint, { op: 'preview', relPath, fn }),
    // Sampled every second while watched: a worker that cannot answer in one is skipped, not waited for.
    stats: (mountpoint) => queryUnion(mountpoint, { op: 'stats' }, STATS_TIMEOUT_MS),
    sweepStale: async () => (await sweepStaleMounts()).cleared,
  };
}
