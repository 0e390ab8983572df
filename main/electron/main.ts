/**
 * Electron main process (bundled to dist/electron-main.cjs). It owns the unions: one utility process per
 * mount, the mapping tracker, saved unions under the XDG config dir, stale-mount sweep and auto-mount at
 * start, clean unmount on quit. Everything else lives in plain-Node modules shared with `strata serve`.
 */
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron';
import { createStrataService } from '../node/service/createService.ts';
import { createDispatch } from '../node/service/dispatch.ts';
import { forwardEvents, registerApi } from './ipcBridge.ts';
import { createMainWindow, RENDERER_URL } from './mainWindow.ts';
import { installQuitGuard } from './quitGuard.ts';
import { denyPermissions, enableSecurityRules } from './security.ts';
import { ValidatedIpcMain } from './senderValidation.ts';
import { utilityWorkerSpawner } from './utilityWorkers.ts';

app.enableSandbox();
enableSecurityRules(app, (url) => url === RENDERER_URL.href);

if (!app.requestSingleInstanceLock()) {
  // Two apps would race over the same mounts and unions.json; the first one gets focused instead.
  app.quit();
} else {
  app.on('second-instance', () => {
    const [win] = BrowserWindow.getAllWindows();
    if (win?.isMinimized()) win.restore();
    win?.focus();
  });
  app.on('window-all-closed', () => app.quit());
  void app.whenReady().then(start);
}

async function start(): Promise<void> {
  denyPermissions(session.defaultSession);
  const service = createStrataService({ spawn: { spawner: utilityWorkerSpawner }, log: (line) => console.log(line) });
  try {
    await service.start();
  } catch (err) {
    dialog.showErrorBox('Strata cannot start', (err as Error).message);
    app.exit(1);
    return;
  }
  const pickFolder = async (title?: string) => {
    const [parent] = BrowserWindow.getAllWindows();
    const result = await dialog.showOpenDialog(parent, { title, properties: ['openDirectory', 'createDirectory'] });
    return result.canceled ? null : (result.filePaths[0] ?? null);
  };
  registerApi(new ValidatedIpcMain(ipcMain, RENDERER_URL), createDispatch(service, { pickFolder }));
  forwardEvents(service, () => BrowserWindow.getAllWindows());
  installQuitGuard(app, service, dialog);
  createMainWindow();
}
