/**
 * Calls into the bridge with the envelope unwrapped: a result, or an ApiError carrying the server's code,
 * sentence and details (e.g. the processes that keep a branch busy).
 */
import type { ApiEvents, ArgsOf, Channel, EventName, ResultOf } from '../../../main/common/api.ts';
import type { StrataErrorCode, StrataErrorData } from '../../../main/common/errors.ts';
import { bridge } from './transport/bridge.ts';

export class ApiError extends Error {
  readonly code: StrataErrorCode;
  readonly details?: unknown;
  constructor(data: StrataErrorData) {
    super(data.message);
    this.code = data.code;
    this.details = data.details;
  }
}

/** `args` must be plain data: pass `$state.snapshot(x)`, never a rune proxy (structured clone rejects it). */
export async function call<C extends Channel>(channel: C, args: ArgsOf<C>): Promise<ResultOf<C>> {
  const response = await bridge().invoke(channel, args);
  if ('error' in response) throw new ApiError(response.error);
  return response.result;
}

export function listen<E extends EventName>(event: E, listener: (data: ApiEvents[E]) => void): () => void {
  return bridge().on(event, listener);
}

export function environment(): 'electron' | 'browser' {
  return bridge().environment;
}

export function asApiError(err: unknown): ApiError {
  return err instanceof ApiError ? err : new ApiError({ code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) });
}
