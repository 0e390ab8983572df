/**
 * A mount worker's JS thread does nothing but decide FUSE requests, so there its branch metadata calls
 * may run inline instead of on the libuv pool: a request then costs one hand-off to the JS thread and
 * back, not two more per call (native/sys/src/promise_work.h). Calls that move file data stay on the
 * pool. A branch that hangs would then hold the worker's JS thread, so a worker with a branch that may
 * (another union, any FUSE or network mount) keeps its calls on the pool (worker/callMode.ts).
 */
import type { Syscalls } from './syscalls.ts';

let inline = false;

export function setCallsInline(sys: Syscalls, on: boolean): void {
  sys.setInline(on);
  inline = on;
}

/** Whether descriptor calls through node:fs (union/fdCalls.ts) run inline too. */
export const callsRunInline = (): boolean => inline;
