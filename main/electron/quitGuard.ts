/**
 * Quitting unmounts what the app mounted. The busy guard goes first: if processes still use a union,
 * the user sees who, and chooses between detaching it lazily anyway and not quitting.
 */
import type { App, Dialog } from 'electron';
import type { StopReport, StrataService } from '../node/service/strataService.ts';

export type QuitDecision = 'quit' | 'stay';

export async function confirmQuit(report: StopReport, dialog: Pick<Dialog, 'showMessageBox'>): Promise<QuitDecision> {
  if (report.failed.length === 0) return 'quit';
  const { response } = await dialog.showMessageBox({
    type: 'warning',
    title: 'Unions still in use',
    message: report.failed.length === 1 ? 'A union is still in use.' : `${report.failed.length} unions are still in use.`,
    detail: `${report.failed.map((f) => f.message).join('\n\n')}\n\nUnmounting anyway detaches them lazily: programs keep their open files until they close them.`,
    buttons: ['Unmount anyway and quit', 'Do not quit'],
    defaultId: 1,
    cancelId: 1,
  });
  return response === 0 ? 'quit' : 'stay';
}

export function installQuitGuard(
  app: Pick<App, 'on' | 'quit'>,
  service: Pick<StrataService, 'unmountOwned' | 'stop'>,
  dialog: Pick<Dialog, 'showMessageBox'>,
): void {
  let cleared = false;
  let inProgress = false;
  app.on('before-quit', (event) => {
    if (cleared) return;
    event.preventDefault();
    if (inProgress) return;
    inProgress = true;
    void (async () => {
      try {
        if ((await confirmQuit(await service.unmountOwned(false), dialog)) === 'stay') return;
        await service.unmountOwned(true);
        service.stop();
        cleared = true;
        app.quit();
      } finally {
        inProgress = false;
      }
    })();
  });
}
