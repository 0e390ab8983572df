/**
 * A mount worker's JS thread does nothing but decide FUSE requests, so there its branch metadata calls
 * run inline instead of on the libuv pool: a request then costs one hand-off to the JS thread and back,
 * not two more per call (native/sys/src/promise_work.h). Calls that move file data stay on the pool. A
 * branch that hangs then holds the worker's JS thread, and the worker reads as hung to everything that
 * asks it (mounts/mountHealth.ts), which is what it is.
 */
import type { Syscalls } from './syscalls.ts';

let inline = false;

export function runCallsInline(sys: Syscalls): void {
  sys.setInline(true);
  inline = true;
}

/** Whether descriptor calls through node:fs (union/fdCalls.ts) run inline too. */
export const callsRunInline = (): boolean => inline;
