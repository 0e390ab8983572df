import { describe, expect, it, vi } from 'vitest';
import { installQuitGuard } from '../../../main/electron/quitGuard.ts';
import type { StopReport } from '../../../main/node/service/strataService.ts';

function harness(first: StopReport, response: number) {
  let beforeQuit: ((e: { preventDefault(): void }) => void) | undefined;
  const app = {
    on: (_: string, fn: never) => {
      beforeQuit = fn;
    },
    quit: vi.fn(),
  };
  const service = { unmountOwned: vi.fn(async (force?: boolean) => (force ? { unmounted: [], failed: [] } : first)), stop: vi.fn() };
  const dialog = { showMessageBox: vi.fn(async (_options: { detail?: string }) => ({ response, checkboxChecked: false })) };
  installQuitGuard(app as never, service as never, dialog as never);
  const quit = async () => {
    const e = { preventDefault: vi.fn() };
    beforeQuit!(e);
    await vi.waitFor(() => expect(service.unmountOwned).toHaveBeenCalled());
    await new Promise((r) => setTimeout(r, 10));
    return e;
  };
  return {
    app,
    service,
    dialog,
    quit,
    again: () => {
      const e = { preventDefault: vi.fn() };
      beforeQuit!(e);
      return e;
    },
  };
}

const busy: StopReport = { unmounted: [], failed: [{ mountpoint: '/m', message: '1 process still uses files under /m: vim (pid 7).' }] };

describe('quit guard', () => {
  it('unmounts and quits when nothing is busy, without asking', async () => {
    const h = harness({ unmounted: ['/m'], failed: [] }, 1);
    expect((await h.quit()).preventDefault).toHaveBeenCalled();
    expect(h.dialog.showMessageBox).not.toHaveBeenCalled();
    expect(h.app.quit).toHaveBeenCalledTimes(1);
    expect(h.again().preventDefault).not.toHaveBeenCalled();
  });

  it('shows who keeps a union busy and stays when the user says so', async () => {
    const h = harness(busy, 1);
    await h.quit();
    expect(h.dialog.showMessageBox.mock.calls[0][0]).toMatchObject({ detail: expect.stringContaining('vim (pid 7)') });
    expect(h.app.quit).not.toHaveBeenCalled();
    expect(h.service.unmountOwned).toHaveBeenCalledTimes(1);
  });

  it('detaches lazily and quits when the user chooses to', async () => {
    const h = harness(busy, 0);
    await h.quit();
    await vi.waitFor(() => expect(h.app.quit).toHaveBeenCalled());
    expect(h.service.unmountOwned).toHaveBeenLastCalledWith(true);
    expect(h.service.stop).toHaveBeenCalled();
  });
});
