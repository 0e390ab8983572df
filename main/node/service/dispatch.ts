/**
 * One request handler for both servers: validates the channel and its argument (apiArgs.ts), calls the
 * service, and wraps the outcome in the {result}|{error} envelope. Nothing thrown escapes, so Electron's
 * generic "Error invoking remote method" and HTTP 500 pages never reach the user.
 */
import type { ApiResponse, ArgsOf, Channel, ResultOf } from '../../common/api.ts';
import { isChannel } from '../../common/api.ts';
import { validateArgs } from '../../common/apiArgs.ts';
import { StrataError, toErrorData } from '../../common/errors.ts';
import { completeDirectory } from './pathCompletion.ts';
import { spaceOf } from './space.ts';
import type { StrataService } from './strataService.ts';

/** What differs between the hosts: only Electron can show a folder dialog. */
export interface HostCapabilities {
  pickFolder(title?: string): Promise<string | null>;
}

type Handlers = { [C in Channel]: (args: ArgsOf<C>) => Promise<ResultOf<C>> | ResultOf<C> };

function handlers(service: StrataService, host: HostCapabilities): Handlers {
  return {
    'unions:list': () => service.list(),
    'unions:save': (a) => service.save(a.definition, a.previousMountpoint),
    'unions:delete': async (a) => {
      await service.delete(a.mountpoint);
      return null;
    },
    'unions:mount': (a) => service.mount(a.mountpoint),
    'unions:unmount': (a) => service.unmount(a.mountpoint, a.force ?? false),
    'unions:setLive': (a) => service.setLive(a.mountpoint, a.patch),
    'unions:where': (a) => service.where(a.mountpoint, a.relPath),
    'unions:preview': (a) => service.preview(a.config, a.relPath, a.fn ?? 'create'),
    'maps:snapshot': () => service.mapsSnapshot(),
    'stats:get': (a) => service.statsHistory(a.mountpoint),
    'fs:complete': (a) => completeDirectory(a.prefix),
    'fs:space': (a) => Promise.all(a.paths.map(spaceOf)),
    'fs:pickFolder': (a) => host.pickFolder(a.title),
    'policies:list': () => service.policies(),
  };
}

export type Dispatch = (channel: string, rawArgs: unknown) => Promise<ApiResponse<unknown>>;

export function createDispatch(service: StrataService, host: HostCapabilities): Dispatch {
  const table = handlers(service, host);
  return async (channel, rawArgs) => {
    try {
      if (!isChannel(channel)) throw new StrataError('INVALID_ARGUMENT', `Unknown request '${channel}'.`);
      const handler = table[channel] as (args: unknown) => Promise<unknown> | unknown;
      return { result: await handler(validateArgs(channel, rawArgs)) };
    } catch (err) {
      return { error: toErrorData(err) };
    }
  };
}
