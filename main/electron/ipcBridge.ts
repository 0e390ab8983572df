/**
 * Main-process side of the renderer bridge: every api.ts channel answered through the shared dispatch
 * (the same one `strata serve` uses), and every service event pushed to every window.
 */
import type { BrowserWindow } from 'electron';
import { CHANNELS, EVENTS } from '../common/api.ts';
import type { Dispatch } from '../node/service/dispatch.ts';
import type { StrataService } from '../node/service/strataService.ts';
import { EVENT_CHANNEL } from './ipcNames.ts';
import type { ValidatedIpcMain } from './senderValidation.ts';

export function registerApi(ipc: ValidatedIpcMain, dispatch: Dispatch): void {
  for (const channel of CHANNELS) ipc.handle(channel, (args) => dispatch(channel, args));
}

export function forwardEvents(service: Pick<StrataService, 'on'>, windows: () => BrowserWindow[]): void {
  for (const event of EVENTS) {
    service.on(event, (data) => {
      for (const w of windows()) if (!w.isDestroyed()) w.webContents.send(EVENT_CHANNEL, event, data);
    });
  }
}
