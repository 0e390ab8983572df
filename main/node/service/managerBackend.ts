/**
 * MountBackend over the real mount manager (main/node/mounts): workers spawned as detached processes
 * and queried over their control sockets.
 */
import type { OpStats, PreviewResult, WhereResult } from '../../common/contract.ts';
import { listUnions, mountUnion, queryUnion, reconfigureUnion, unmountUnion } from '../mounts/manager.ts';
import type { SpawnOptions } from '../mounts/spawnWorker.ts';
import { sweepStaleMounts } from '../mounts/stale.ts';
import type { MountBackend } from './ports.ts';

export function managerBackend(spawn: SpawnOptions = {}): MountBackend {
  return {
    list: listUnions,
    async mount(config) {
      const worker = await mountUnion(config, spawn);
      // The worker outlives this process by design; do not let its handle keep our event loop alive.
      worker.process.detach();
    },
    async unmount(mountpoint, force) {
      await unmountUnion(mountpoint, { force });
    },
    reconfigure: (mountpoint, patch) => reconfigureUnion(mountpoint, patch),
    where: (mountpoint, relPath) => queryUnion<WhereResult>(mountpoint, { op: 'where', relPath }),
    preview: (mountpoint, relPath, fn) => queryUnion<PreviewResult>(mountpoint, { op: 'preview', relPath, fn }),
    stats: (mountpoint) => queryUnion<OpStats>(mountpoint, { op: 'stats' }),
    sweepStale: sweepStaleMounts,
  };
}
