/** The one window: the built renderer over file://, sandboxed, context-isolated, without Node. */
import { BrowserWindow, nativeTheme } from 'electron';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// Bundled as dist/electron-main.cjs: the renderer, the preload and the icon sit next to it.
export const RENDERER_URL = pathToFileURL(join(__dirname, 'renderer', 'index.html'));
const PRELOAD = join(__dirname, 'preload.cjs');
export const ICON = join(__dirname, '..', 'main', 'electron', 'assets', 'icon.png');

export function createMainWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Strata',
    icon: ICON,
    // Painted before the renderer loads, so there is no white flash in dark mode.
    backgroundColor: nativeTheme.shouldUseDarkColors ? '#16181c' : '#f6f7f9',
    webPreferences: {
      preload: PRELOAD,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  void win.loadURL(RENDERER_URL.href);
  return win;
}
