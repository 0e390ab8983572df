/**
 * One request handler for both servers: validates the channel and its argument (apiArgs.ts), calls the
 * service, and wraps the outcome in the {result}|{error} envelope. Nothing thrown escapes, so Electron's
 * generic "Error invoking remote method" and HTTP 500 pages never reach the user. Every call has a
 * deadline: past it the caller gets TIMEOUT naming the union, and the call is left to finish (or not)
 * on its own, so one union that does not answer never holds a request, or a browser connection, for good.
 */
import type { ApiResponse, ArgsOf, Channel, HostSettings, ResultOf } from '../../common/api.ts';
import { apiDeadlineMs, isChannel, type ApiDeadline } from '../../common/api.ts';
import { validateArgs } from '../../common/apiArgs.ts';
import { StrataError, toErrorData } from '../../common/errors.ts';
import { DeadlineError, withDeadline } from '../tracker/deadline.ts';
import { join } from 'node:path';
import { projectRoot } from '../sys/load.ts';
import { fstabCliStatus } from './fstabCli.ts';
import { completeDirectory } from './pathCompletion.ts';
import { pathFacts } from './pathFacts.ts';
import { spaceOf } from './space.ts';
import type { StrataService } from './strataService.ts';

/** What differs between the hosts: only Electron can show a folder dialog or start at login. */
export interface HostCapabilities {
  pickFolder(title?: string): Promise<string | null>;
  /** Absent where the host cannot start at login (`strata serve`: use its systemd user unit). */
  startAtLogin?: { get(): Promise<boolean>; set(on: boolean): Promise<void> };
  /** How this installation runs (AppImage, package, checkout), for advice on putting strata on PATH. */
  installation?: { appImage?: string; packaged: boolean };
}

async function hostSettings(host: HostCapabilities): Promise<HostSettings> {
  return {
    startAtLogin: host.startAtLogin ? await host.startAtLogin.get() : null,
    fstabCli: await fstabCliStatus({ ...(host.installation ?? { packaged: false }), cliScript: join(projectRoot(), 'dist', 'cli.js') }),
  };
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
    'fs:check': (a) => pathFacts(a.paths),
    'fs:pickFolder': (a) => host.pickFolder(a.title),
    'policies:list': () => service.policies(),
    'unions:export': (a) => service.exportForms(a.mountpoint),
    'unions:recover': (a) => service.recover(a.mountpoint),
    'settings:get': () => hostSettings(host),
    'settings:set': async (a) => {
      if (!host.startAtLogin)
        throw new StrataError(
          'UNAVAILABLE',
          'Starting at login is a desktop app setting: for strata serve, enable its systemd user unit (strata serve --unit).',
        );
      await host.startAtLogin.set(a.startAtLogin);
      return hostSettings(host);
    },
  };
}

export type Dispatch = (channel: string, rawArgs: unknown) => Promise<ApiResponse<unknown>>;

/** The handler's outcome, or TIMEOUT naming the union once the channel's deadline passed (the call is left to finish). */
async function answerInTime<T>(work: Promise<T>, channel: Channel, args: unknown, deadline: ApiDeadline): Promise<T> {
  const ms = deadline(channel);
  try {
    return await withDeadline(work, ms, channel);
  } catch (err) {
    if (!(err instanceof DeadlineError)) throw err;
    const a = args as { mountpoint?: unknown; config?: { mountpoint?: unknown } } | null;
    const union = typeof a?.mountpoint === 'string' ? a.mountpoint : typeof a?.config?.mountpoint === 'string' ? a.config.mountpoint : undefined;
    throw new StrataError(
      'TIMEOUT',
      `${channel} ${union ? `for ${union} ` : ''}did not finish within ${ms / 1000} s: a union may not be answering (the unions list shows which); try again, or unmount it with Force.`,
    );
  }
}

export function createDispatch(service: StrataService, host: HostCapabilities, deadline: ApiDeadline = apiDeadlineMs): Dispatch {
  const table = handlers(service, host);
  return async (channel, rawArgs) => {
    try {
      if (!isChannel(channel)) throw new StrataError('INVALID_ARGUMENT', `Unknown request '${channel}'.`);
      const handler = table[channel] as (args: unknown) => Promise<unknown> | unknown;
      const args = validateArgs(channel, rawArgs);
      return {
        result: await answerInTime(
          Promise.resolve().then(() => handler(args)),
          channel,
          args,
          deadline,
        ),
      };
    } catch (err) {
      return { error: toErrorData(err) };
    }
  };
}
