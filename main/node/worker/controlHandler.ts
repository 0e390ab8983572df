/** Answers control requests for one mounted union (see ControlRequest in common/contract.ts). */
import type { ControlRequest } from '../../common/contract.ts';
import { validateConfigPatch } from '../../common/unionConfig.ts';
import type { ControlHandler } from './controlServer.ts';
import { log } from './log.ts';
import type { MountSession } from './mountSession.ts';

export function controlHandlerFor(session: MountSession): ControlHandler {
  const { union } = session;
  return async (req: ControlRequest) => {
    switch (req.op) {
      case 'status':
        return session.status();
      case 'stats':
        return session.stats();
      case 'handles':
        return union.handles();
      case 'where':
        return union.where(req.relPath);
      case 'preview':
        return union.preview(req.relPath, req.fn ?? 'create');
      case 'reconfigure': {
        validateConfigPatch(session.mountpoint, req.patch);
        const config = await session.reconfigure(req.patch, req.force ?? false);
        log(`reconfigured: ${JSON.stringify(req.patch)}`);
        return config;
      }
      case 'stop':
        return session.stop(req.force ?? false);
    }
  };
}
