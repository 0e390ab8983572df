/**
 * Calls back when this namespace's mount table changes (native/sys/src/mount_watch.cc: POLLPRI on
 * /proc/self/mountinfo), so a long-lived process notices mounts made by the CLI without polling. Where
 * the addon cannot load, the table is reread every few seconds instead.
 */
import { readFile } from 'node:fs/promises';
import { loadAddon } from './load.ts';

interface MountWatchAddon {
  MountWatch: new (onChange: () => void) => { close(): void };
}

const FALLBACK_POLL_MS = 2000;

function pollFallback(onChange: () => void): () => void {
  let last: string | undefined;
  const timer = setInterval(async () => {
    const now = await readFile('/proc/self/mountinfo', 'utf8').catch(() => last);
    if (last !== undefined && now !== last) onChange();
    last = now;
  }, FALLBACK_POLL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

/** Returns the function that stops watching. */
export function watchMountTable(onChange: () => void): () => void {
  let addon: MountWatchAddon;
  try {
    addon = loadAddon<MountWatchAddon>('sys', 'strata_mount_watch.node');
  } catch {
    return pollFallback(onChange);
  }
  const watch = new addon.MountWatch(onChange);
  return () => watch.close();
}
