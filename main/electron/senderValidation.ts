/**
 * Who may call the main process, decided in one place (like VS Code's ValidatedIpcMain): only the main
 * frame of a window showing Strata's own renderer file. An iframe, a child window or a page that got
 * there by navigation gets an error answer instead of the service.
 */
import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import type { ApiResponse } from '../common/api.ts';

export function isTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame' | 'sender'>, rendererUrl: URL): boolean {
  const frame = event.senderFrame;
  if (!frame || frame !== event.sender.mainFrame) return false;
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return false;
  }
  return url.protocol === rendererUrl.protocol && url.host === rendererUrl.host && url.pathname === rendererUrl.pathname;
}

const REFUSED: ApiResponse<never> = {
  error: { code: 'PERMISSION', message: 'Request refused: it did not come from the Strata window.' },
};

export class ValidatedIpcMain {
  constructor(
    private readonly ipcMain: Pick<IpcMain, 'handle'>,
    private readonly rendererUrl: URL,
  ) {}

  /** Like ipcMain.handle, for handlers that already answer with the api.ts envelope. */
  handle(channel: string, handler: (args: unknown) => Promise<ApiResponse<unknown>>): void {
    this.ipcMain.handle(channel, (event, args: unknown) => (isTrustedSender(event, this.rendererUrl) ? handler(args) : REFUSED));
  }
}
