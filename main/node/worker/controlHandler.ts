/** Answers control requests for one mounted union (the ops are declared in common/contract.ts). */
import type { ControlOp, ControlRequest, ControlRequestOf, ControlResultOf } from '../../common/contract.ts';
import { validateConfigPatch } from '../../common/unionConfig.ts';
import type { ControlHandler } from './controlServer.ts';
import { log } from './log.ts';
import type { MountSession } from './mountSession.ts';

/** One handler per op: tsc fails on an op without a handler, a handler without an op, or a wrong result. */
type ControlHandlers = { [O in ControlOp]: (req: ControlRequestOf<O>) => Promise<ControlResultOf<O>> | ControlResultOf<O> };

export function controlHandlerFor(session: MountSession): ControlHandler {
  const { union } = session;
  const handlers: ControlHandlers = {
    status: () => session.status(),
    stats: () => session.stats(),
    handles: () => union.handles(),
    where: (req) => union.where(req.relPath),
    preview: (req) => union.preview(req.relPath, req.fn ?? 'create'),
    reconfigure: async (req) => {
      validateConfigPatch(session.mountpoint, req.patch);
      const config = await session.reconfigure(req.patch, req.force ?? false);
      log(`reconfigured: ${JSON.stringify(req.patch)}`);
      return config;
    },
    stop: (req) => session.stop(req.force ?? false),
  };
  // The server checked req.op; the table's type pairs each op with its own request shape.
  return async (req: ControlRequest) => (handlers[req.op] as (r: ControlRequest) => unknown)(req);
}
