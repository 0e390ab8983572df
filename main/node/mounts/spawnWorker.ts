/**
 * Starts the worker process that serves one union and waits until its mount is ready. The worker runs in
 * its own session (detached), logs to the state dir, and gets its UnionConfig through the environment;
 * it answers once on fd 3. On failure or timeout it is killed and anything it mounted is cleared, so a
 * failed `strata mount` leaves nothing behind.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { UnionConfig } from '../../common/contract.ts';
import { StrataError } from '../../common/errors.ts';
import { projectRoot } from '../sys/load.ts';
import { CONFIG_ENV, LAUNCH_ENV, type WorkerLaunch, type WorkerReadyMessage } from '../control/protocol.ts';
import { ensureDirs, workerLogPath } from '../control/paths.ts';
import { explainMountFailure } from './mountFailure.ts';
import { clearStrataMountAt } from './stale.ts';
import { childProcessSpawner, type WorkerProcess, type WorkerSpawner } from './workerProcess.ts';

export const READY_TIMEOUT_MS = 20_000;

export interface SpawnOptions {
  /** Defaults to dist/worker.js of this installation. */
  workerPath?: string;
  readyTimeoutMs?: number;
  /** Defaults to a detached child process; Electron passes utility processes. */
  spawner?: WorkerSpawner;
  launch?: WorkerLaunch;
}

export interface SpawnedWorker {
  process: WorkerProcess;
  /** As validated: the mountpoint is its real path. */
  config: UnionConfig;
  ready: Extract<WorkerReadyMessage, { ok: true }>;
  logPath: string;
}

export function defaultWorkerPath(): string {
  return join(projectRoot(), 'dist', 'worker.js');
}

async function logTail(logPath: string): Promise<string> {
  const text = await readFile(logPath, 'utf8').catch(() => '');
  return text.trim().split('\n').slice(-3).join(' | ');
}

function firstMessage(worker: WorkerProcess, timeoutMs: number): Promise<WorkerReadyMessage | null | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  return Promise.race([worker.ready as Promise<WorkerReadyMessage | null>, timeout]).finally(() => clearTimeout(timer));
}

/** Kills a worker that failed to start and clears a mount it may have left. */
async function discard(worker: WorkerProcess, mountpoint: string): Promise<void> {
  worker.kill();
  await worker.exited;
  await clearStrataMountAt(mountpoint);
}

export async function spawnWorker(config: UnionConfig, opts: SpawnOptions = {}): Promise<SpawnedWorker> {
  await ensureDirs();
  const logPath = workerLogPath(config.mountpoint);
  const spawner = opts.spawner ?? childProcessSpawner;
  const env = { [CONFIG_ENV]: JSON.stringify(config), ...(opts.launch ? { [LAUNCH_ENV]: JSON.stringify(opts.launch) } : {}) };
  const worker = spawner(opts.workerPath ?? defaultWorkerPath(), env, logPath);
  const message = await firstMessage(worker, opts.readyTimeoutMs ?? READY_TIMEOUT_MS);
  if (message && message !== 'timeout' && message.ok) return { process: worker, config, ready: message, logPath };
  await discard(worker, config.mountpoint);
  if (message === 'timeout') {
    throw new StrataError(
      'WORKER_FAILED',
      `The worker for ${config.mountpoint} was not ready within ${(opts.readyTimeoutMs ?? READY_TIMEOUT_MS) / 1000} s and was stopped; see ${logPath}.`,
    );
  }
  if (message) throw await explainMountFailure(message.error, logPath);
  throw new StrataError('WORKER_FAILED', `The worker for ${config.mountpoint} exited before it was ready (${await logTail(logPath)}); see ${logPath}.`);
}
