/**
 * Exit without joining threads (native/sys/src/exit_now.cc): for a process that had to leave a thread
 * inside a syscall that never returns. Falls back to process.exit where the addon is missing.
 */
import { loadAddon } from './load.ts';

export function exitNow(code: number): never {
  try {
    loadAddon<{ exitNow(code: number): never }>('sys', 'strata_exit.node').exitNow(code);
  } catch {
    // addon missing: the ordinary exit, which may wait on that thread
  }
  process.exit(code);
}
