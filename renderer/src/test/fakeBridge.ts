/**
 * A StrataBridge for component tests: answers each channel from a handler, records every call, and lets
 * a test push events. Unhandled channels answer with an error, so a test notices calls it did not expect.
 */
import type { ApiEvents, ArgsOf, Channel, EventName, ResultOf, StrataBridge } from '../../../main/common/api.ts';
import { toErrorData } from '../../../main/common/errors.ts';
import { setBridge } from '../lib/transport/bridge.ts';

export type Handlers = { [C in Channel]?: (args: ArgsOf<C>) => ResultOf<C> | Promise<ResultOf<C>> };

export interface FakeBridge extends StrataBridge {
  calls: { channel: Channel; args: unknown }[];
  emit<E extends EventName>(event: E, data: ApiEvents[E]): void;
  callsTo(channel: Channel): unknown[];
}

export function installFakeBridge(handlers: Handlers, environment: 'browser' | 'electron' = 'browser'): FakeBridge {
  const listeners = new Map<EventName, Set<(data: unknown) => void>>();
  const calls: FakeBridge['calls'] = [];
  const fake: FakeBridge = {
    environment,
    calls,
    async invoke(channel, args) {
      // Structured clone, as the real bridges do: a rune proxy sent by mistake fails here as it would there.
      calls.push({ channel, args: structuredClone(args) });
      const handler = handlers[channel] as ((a: unknown) => unknown) | undefined;
      if (!handler) return { error: { code: 'UNAVAILABLE', message: `no fake for ${channel}` } };
      try {
        return { result: (await handler(args)) as ResultOf<typeof channel> };
      } catch (err) {
        return { error: toErrorData(err) };
      }
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      set.add(listener as (data: unknown) => void);
      listeners.set(event, set);
      return () => set.delete(listener as (data: unknown) => void);
    },
    emit(event, data) {
      for (const l of listeners.get(event) ?? []) l(data);
    },
    callsTo(channel) {
      return calls.filter((c) => c.channel === channel).map((c) => c.args);
    },
  };
  setBridge(fake);
  return fake;
}
