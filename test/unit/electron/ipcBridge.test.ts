import { describe, expect, it, vi } from 'vitest';
import { CHANNELS } from '../../../main/common/api.ts';
import { forwardEvents, registerApi } from '../../../main/electron/ipcBridge.ts';

describe('ipc bridge', () => {
  it('answers every api channel through the shared dispatch', async () => {
    const handled = new Map<string, (args: unknown) => Promise<unknown>>();
    const dispatch = vi.fn(async (channel: string, args: unknown) => ({ result: [channel, args] }));
    registerApi({ handle: (ch: string, fn: never) => handled.set(ch, fn) } as never, dispatch);
    expect([...handled.keys()]).toEqual([...CHANNELS]);
    expect(await handled.get('unions:mount')!({ mountpoint: '/m' })).toEqual({ result: ['unions:mount', { mountpoint: '/m' }] });
  });

  it('pushes service events to every live window', () => {
    const listeners = new Map<string, (d: unknown) => void>();
    const send = vi.fn();
    const windows = [
      { isDestroyed: () => false, webContents: { send } },
      { isDestroyed: () => true, webContents: { send: vi.fn() } },
    ];
    forwardEvents(
      {
        on: (e: string, fn: never) => {
          listeners.set(e, fn);
          return () => undefined;
        },
      } as never,
      () => windows as never,
    );
    listeners.get('maps:changed')!({ at: 3 });
    expect(send).toHaveBeenCalledWith('strata:event', 'maps:changed', { at: 3 });
    expect(windows[1].webContents.send).not.toHaveBeenCalled();
  });
});
