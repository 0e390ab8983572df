/**
 * Mount workers as Electron utility processes instead of detached Node processes: Chromium's process
 * model owns them, they run Node on the default libuv loop fuse-native needs, and they are not
 * sandboxed, so /dev/fuse and fusermount are reachable. A utility process has no fd 3, so the worker
 * reports readiness with process.parentPort.postMessage; its stdout/stderr go to the worker log.
 *
 * The mount manager spawns through SpawnOptions.spawner (see the shape below); until it honours that
 * option it falls back to child_process, which cannot start a Node script from the Electron binary.
 */
import { utilityProcess } from 'electron';
import { createWriteStream } from 'node:fs';
import { basename } from 'node:path';

/** What a spawned worker looks like to the manager, whichever way it was started. */
export interface WorkerProcess {
  pid: number | undefined;
  /** The worker's first message (its readiness report), or null when it exits first. */
  ready: Promise<unknown>;
  exited: Promise<number | null>;
  kill(): void;
}

export type WorkerSpawner = (workerPath: string, env: Record<string, string>, logPath: string) => WorkerProcess;

export const utilityWorkerSpawner: WorkerSpawner = (workerPath, env, logPath) => {
  const child = utilityProcess.fork(workerPath, [], {
    env,
    stdio: 'pipe',
    serviceName: `Strata worker (${basename(env.STRATA_WORKER_MOUNTPOINT ?? workerPath)})`,
  });
  const log = createWriteStream(logPath, { flags: 'a', mode: 0o600 });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<unknown>((resolve) => {
    child.once('message', resolve);
    void exited.then(() => resolve(null));
  });
  return { get pid() { return child.pid; }, ready, exited, kill: () => { child.kill(); } };
};
