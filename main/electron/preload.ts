/**
 * The preload bridge (bundled to dist/preload.cjs; sandboxed, so it may only use `electron`). It exposes
 * exactly api.ts's StrataBridge as `window.strata`: a typed invoke limited to the known channels and
 * an event subscription, never ipcRenderer itself.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { isChannel, isEventName, type ApiEvents, type EventName, type StrataBridge } from '../common/api.ts';
import { EVENT_CHANNEL } from './ipcNames.ts';

const listeners = new Map<EventName, Set<(data: unknown) => void>>();

ipcRenderer.on(EVENT_CHANNEL, (_event, name: unknown, data: unknown) => {
  if (!isEventName(name)) return;
  for (const listener of listeners.get(name) ?? []) listener(data);
});

const bridge: StrataBridge = {
  environment: 'electron',
  invoke(channel, args) {
    if (!isChannel(channel)) {
      return Promise.resolve({ error: { code: 'INVALID_ARGUMENT', message: `Unknown request '${String(channel)}'.` } });
    }
    return ipcRenderer.invoke(channel, args);
  },
  on<E extends EventName>(event: E, listener: (data: ApiEvents[E]) => void) {
    if (!isEventName(event)) throw new Error(`Unknown event '${String(event)}'.`);
    const set = listeners.get(event) ?? new Set();
    set.add(listener as (data: unknown) => void);
    listeners.set(event, set);
    return () => {
      set.delete(listener as (data: unknown) => void);
    };
  },
};

contextBridge.exposeInMainWorld('strata', bridge);
