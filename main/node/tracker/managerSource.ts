/** The tracker's view of the real unions: each mounted union's worker, over its control channel. */
import { controlRequest } from '../control/controlClient.ts';
import { strataMounts } from '../mounts/mountTable.ts';
import type { UnionDescription, UnionSource } from './unionSource.ts';

/** Short: a worker that cannot answer in this time is treated as unknown, the scan goes on. */
const QUERY_TIMEOUT_MS = 1500;

/**
 * Asks each fuse.strata mount's worker directly rather than through the manager's list, which probes
 * silent mounts in child processes: too slow to repeat every rescan. A silent one is still scanned
 * (found in mountinfo), only without branch details.
 */
async function describe(mountpoint: string): Promise<UnionDescription | null> {
  const status = await controlRequest(mountpoint, { op: 'status' }, QUERY_TIMEOUT_MS).catch(() => null);
  if (status?.state !== 'mounted' && status?.state !== 'hung') return null;
  return {
    mountpoint: status.mountpoint,
    branches: status.branches.map((b) => ({ index: b.index, path: b.path, mode: b.mode })),
    servers: status.pid === undefined ? [] : [status.pid],
  };
}

export const managerSource: UnionSource = {
  async unions() {
    const described = await Promise.all((await strataMounts()).map((m) => describe(m.mountpoint)));
    return described.filter((d): d is UnionDescription => d !== null);
  },
  handles: (mountpoint) => controlRequest(mountpoint, { op: 'handles' }, QUERY_TIMEOUT_MS),
  where: (mountpoint, relPath) => controlRequest(mountpoint, { op: 'where', relPath }, QUERY_TIMEOUT_MS),
};
