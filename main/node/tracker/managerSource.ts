/** The tracker's view of the real unions: the manager's list, and each worker's control channel. */
import type { HandleInfo, WhereResult } from '../../common/contract.ts';
import { controlRequest } from '../mounts/controlClient.ts';
import { listUnions } from '../mounts/manager.ts';
import type { UnionSource } from './unionSource.ts';

/** Short: a worker that cannot list its handles in this time is treated as unknown, the scan goes on. */
const QUERY_TIMEOUT_MS = 1500;

export const managerSource: UnionSource = {
  async unions() {
    const mounts = await listUnions();
    return mounts
      .filter((m) => m.state === 'mounted')
      .map((m) => ({
        mountpoint: m.mountpoint,
        branches: m.branches.map((b) => ({ index: b.index, path: b.path, mode: b.mode })),
        servers: m.pid === undefined ? [] : [m.pid],
      }));
  },
  handles: (mountpoint) => controlRequest<HandleInfo[]>(mountpoint, { op: 'handles' }, QUERY_TIMEOUT_MS),
  where: (mountpoint, relPath) => controlRequest<WhereResult>(mountpoint, { op: 'where', relPath }, QUERY_TIMEOUT_MS),
};
