/**
 * Mount workers as Electron utility processes instead of detached Node processes: Chromium's process
 * model owns them, they run Node on the default libuv loop fuse-native needs, and they are not
 * sandboxed, so /dev/fuse and fusermount are reachable. A utility process has no fd 3, so the worker
 * reports readiness with process.parentPort.postMessage; its stdout/stderr go to the worker log.
 */
import { utilityProcess } from 'electron';
import { createWriteStream } from 'node:fs';
import type { WorkerSpawner } from '../node/service/ports.ts';
import { CONFIG_ENV } from '../node/control/protocol.ts';

function mountpointOf(env: Record<string, string>): string {
  try {
    return (JSON.parse(env[CONFIG_ENV] ?? '{}') as { mountpoint?: string }).mountpoint ?? '';
  } catch {
    return '';
  }
}

export const utilityWorkerSpawner: WorkerSpawner = (workerPath, env, logPath) => {
  const child = utilityProcess.fork(workerPath, [], {
    env,
    stdio: 'pipe',
    serviceName: `Strata worker ${mountpointOf(env)}`.trim(),
  });
  const log = createWriteStream(logPath, { flags: 'a', mode: 0o600 });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  // A log that cannot be written (its directory gone) costs the worker's output, never more: unhandled,
  // the stream's error would end the main process, and output no one reads would stall the worker.
  log.on('error', () => {
    child.stdout?.resume();
    child.stderr?.resume();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<unknown>((resolve) => {
    child.once('message', resolve);
    void exited.then(() => resolve(null));
  });
  // Chromium owns utility processes; there is nothing to unref.
  return {
    get pid() {
      return child.pid;
    },
    ready,
    exited,
    kill: () => {
      child.kill();
    },
    detach: () => undefined,
  };
};
