/**
 * Electron main process (bundled to dist/electron-main.cjs). It owns the unions: one utility process per
 * mount, the mapping tracker, saved unions under the XDG config dir, stale-mount sweep and auto-mount at
 * start, clean unmount on quit. Closing the window leaves it running in the tray; `--hidden` (the login
 * autostart) starts it there. Everything else lives in plain-Node modules shared with `strata serve`.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, Notification, session, Tray } from 'electron';
import { Autostart, HIDDEN_FLAG, launchCommand } from './autostart.ts';
import { keepRunningInBackground, type WindowKeeper } from './background.ts';
import { notifyNotices } from './notifications.ts';
import { installTray, trayActions } from './tray.ts';
import { createStrataService } from '../node/service/createService.ts';
import { createDispatch } from '../node/service/dispatch.ts';
import { forwardEvents, registerApi } from './ipcBridge.ts';
import { createMainWindow, ICON, RENDERER_URL } from './mainWindow.ts';
import { installQuitGuard } from './quitGuard.ts';
import { denyPermissions, enableSecurityRules } from './security.ts';
import { ValidatedIpcMain } from './senderValidation.ts';
import { utilityWorkerSpawner } from './utilityWorkers.ts';

app.enableSandbox();
enableSecurityRules(app, (url) => url === RENDERER_URL.href);

let windows: WindowKeeper | undefined;

if (!app.requestSingleInstanceLock()) {
  // Two apps would race over the same mounts and unions.json; the first one shows its window instead.
  app.quit();
} else {
  app.on('second-instance', () => windows?.show());
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
  const startAtLogin = new Autostart(
    launchCommand({ execPath: process.execPath, appPath: app.getAppPath(), packaged: app.isPackaged, appImage: process.env.APPIMAGE }),
  );
  registerApi(
    new ValidatedIpcMain(ipcMain, RENDERER_URL),
    createDispatch(service, { pickFolder, startAtLogin, installation: { appImage: process.env.APPIMAGE, packaged: app.isPackaged } }),
  );
  forwardEvents(service, () => BrowserWindow.getAllWindows());
  installQuitGuard(app, service, dialog);
  const shown = keepRunningInBackground(app, createMainWindow, { hidden: process.argv.includes(HIDDEN_FLAG) });
  windows = shown;
  const log = (line: string) => console.log(line);
  installTray({
    createTray: () => new Tray(ICON),
    buildMenu: (template) => Menu.buildFromTemplate(template),
    list: () => service.list(),
    onChange: (listener) => service.on('unions:changed', listener),
    run: trayActions({ show: () => shown.show(), quit: () => app.quit(), service, log }),
  });
  notifyNotices({
    isSupported: () => Notification.isSupported(),
    create: (options) => new Notification(options),
    onNotice: (listener) => service.on('notice', listener),
    recover: (mountpoint) => service.recover(mountpoint),
    showWindow: () => shown.show(),
    windowFocused: () => BrowserWindow.getFocusedWindow() !== null,
    log,
  });
}
