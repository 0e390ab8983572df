import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { StrataBridge } from '../../../main/common/api.ts';

const exposed: Record<string, unknown> = {};
const ipcListeners = new Map<string, (...args: unknown[]) => void>();
const invoke = vi.fn(async (channel: string) => ({ result: channel }));

vi.mock(
  import('electron'),
  () =>
    ({
      contextBridge: {
        exposeInMainWorld: (key: string, api: unknown) => {
          exposed[key] = api;
        },
      },
      ipcRenderer: { invoke, on: (channel: string, fn: (...args: unknown[]) => void) => ipcListeners.set(channel, fn) },
    }) as never,
);

describe('preload bridge', () => {
  let bridge: StrataBridge;
  beforeAll(async () => {
    await import('../../../main/electron/preload.ts');
    bridge = exposed.strata as StrataBridge;
  });

  it('exposes only the typed bridge, as window.strata', () => {
    expect(Object.keys(exposed)).toEqual(['strata']);
    expect(bridge.environment).toBe('electron');
    expect(Object.keys(bridge).sort()).toEqual(['environment', 'invoke', 'on']);
  });

  it('forwards known requests and refuses others without reaching main', async () => {
    expect(await bridge.invoke('unions:list', {})).toEqual({ result: 'unions:list' });
    expect(await bridge.invoke('shell:open' as never, {} as never)).toMatchObject({ error: { code: 'INVALID_ARGUMENT' } });
    expect(invoke).toHaveBeenCalledTimes(1);
  });

  it('delivers known events to subscribers until they stop listening', () => {
    const seen: unknown[] = [];
    const stop = bridge.on('unions:changed', (d) => seen.push(d));
    const push = ipcListeners.get('strata:event')!;
    push({}, 'unions:changed', { at: 1 });
    push({}, 'not-an-event', { at: 2 });
    stop();
    push({}, 'unions:changed', { at: 3 });
    expect(seen).toEqual([{ at: 1 }]);
    expect(() => bridge.on('nope' as never, () => undefined)).toThrow(/Unknown event/);
  });
});
