import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { keepRunningInBackground } from '../../../main/electron/background.ts';
import { installQuitGuard } from '../../../main/electron/quitGuard.ts';

class FakeWindow extends EventEmitter {
  hidden = false;
  destroyed = false;
  hide = vi.fn(() => {
    this.hidden = true;
  });
  show = vi.fn(() => {
    this.hidden = false;
  });
  focus = vi.fn();
  restore = vi.fn();
  isMinimized = () => false;
  isDestroyed = () => this.destroyed;
  /** What Electron does when the user clicks the close button. */
  userCloses(): boolean {
    const event = {
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    this.emit('close', event);
    if (!event.defaultPrevented) {
      this.destroyed = true;
      this.emit('closed');
    }
    return !event.defaultPrevented;
  }
}

class FakeApp extends EventEmitter {
  quit = vi.fn(() => {
    const event = {
      defaultPrevented: false,
      preventDefault() {
        this.defaultPrevented = true;
      },
    };
    this.emit('before-quit', event);
    if (!event.defaultPrevented) for (const w of windows) w.userCloses();
  });
}
let windows: FakeWindow[] = [];

function harness(opts: { hidden: boolean; busy?: boolean; response?: number }) {
  windows = [];
  const app = new FakeApp();
  const service = {
    unmountOwned: vi.fn(async (force?: boolean) =>
      opts.busy && !force ? { unmounted: [], failed: [{ mountpoint: '/m', message: 'vim uses /m' }] } : { unmounted: ['/m'], failed: [] },
    ),
    stop: vi.fn(),
  };
  const dialog = { showMessageBox: vi.fn(async () => ({ response: opts.response ?? 1, checkboxChecked: false })) };
  installQuitGuard(app as never, service as never, dialog as never);
  const keeper = keepRunningInBackground(
    app as never,
    () => {
      const w = new FakeWindow();
      windows.push(w);
      return w as never;
    },
    { hidden: opts.hidden },
  );
  return { app, service, dialog, keeper };
}

describe('closing and quitting', () => {
  it('hides the window on close and keeps running; the unions stay mounted', () => {
    const { app, service } = harness({ hidden: false });
    expect(windows).toHaveLength(1);
    expect(windows[0].userCloses()).toBe(false);
    expect(windows[0].hidden).toBe(true);
    expect(app.listenerCount('window-all-closed')).toBe(1);
    expect(service.unmountOwned).not.toHaveBeenCalled();
  });

  it('starts without a window with --hidden, and makes one when asked to show', () => {
    const { keeper } = harness({ hidden: true });
    expect(windows).toHaveLength(0);
    keeper.show();
    expect(windows).toHaveLength(1);
    expect(windows[0].show).toHaveBeenCalled();
    keeper.show();
    expect(windows).toHaveLength(1);
  });

  it('quits through the busy guard: when the user stays, nothing is stopped or closed', async () => {
    const { app, service, dialog } = harness({ hidden: false, busy: true, response: 1 });
    app.quit();
    await vi.waitFor(() => expect(dialog.showMessageBox).toHaveBeenCalled());
    await new Promise((r) => setTimeout(r, 10));
    expect(service.stop).not.toHaveBeenCalled();
    expect(windows[0].destroyed).toBe(false);
  });

  it('closes the window for real once the guard lets the quit through', async () => {
    const { app, service } = harness({ hidden: false });
    app.quit();
    await vi.waitFor(() => expect(service.stop).toHaveBeenCalled());
    await vi.waitFor(() => expect(windows[0].destroyed).toBe(true));
    expect(service.unmountOwned).toHaveBeenCalledWith(true);
  });
});
