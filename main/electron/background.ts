/**
 * Closing the window keeps Strata running (the tray stays, and so do the unions it mounted); only Quit
 * quits, through the quit guard. The window is hidden rather than destroyed, so reopening is instant.
 */
import type { App, BrowserWindow } from 'electron';

type Window = Pick<BrowserWindow, 'on' | 'hide' | 'show' | 'focus' | 'isDestroyed' | 'isMinimized' | 'restore'>;

export interface WindowKeeper {
  /** Shows the window, creating it first if there is none (a `--hidden` start, or it was destroyed). */
  show(): void;
}

export function keepRunningInBackground(app: Pick<App, 'on'>, createWindow: () => Window, opts: { hidden: boolean }): WindowKeeper {
  let quitting = false;
  let win: Window | undefined;
  // Set once a quit is under way; the guard may still cancel it, and then the next close really
  // closes the window (the app keeps running, and show() makes a new one).
  app.on('before-quit', () => {
    quitting = true;
  });
  // Without a window the app stays up for the tray; this listener alone keeps Electron from quitting.
  app.on('window-all-closed', () => {});
  const open = () => {
    const w = createWindow();
    w.on('close', (event) => {
      if (quitting) return;
      event.preventDefault();
      w.hide();
    });
    w.on('closed', () => {
      if (win === w) win = undefined;
    });
    return w;
  };
  if (!opts.hidden) win = open();
  return {
    show() {
      if (!win || win.isDestroyed()) win = open();
      if (win.isMinimized()) win.restore();
      win.show();
      win.focus();
    },
  };
}
