/**
 * TrackerSource over the mapping tracker (main/node/tracker): its incremental rescans for the snapshot
 * and the change stream, its busy guard for refusals, both against the real unions.
 */
import { checkBusy } from '../tracker/guard.ts';
import { managerSource } from '../tracker/managerSource.ts';
import { MapsTracker } from '../tracker/tracker.ts';
import type { TrackerSource } from './ports.ts';

export function liveTracker(): TrackerSource {
  const tracker = new MapsTracker({ source: managerSource });
  return {
    snapshot: () => tracker.snapshot(),
    watch: (listener) => tracker.watch(listener),
    checkBusy: (target) => checkBusy(target, managerSource),
  };
}
