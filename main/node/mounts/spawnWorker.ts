/**
 * Starts the worker process that serves one union and waits until its mount is ready. The worker runs in
 * its own session (detached), logs to the state dir, and gets its UnionConfig through the environment;
 * it answers once on fd 3. On failure or timeout it is killed and anything it mounted is cleared, so a
 * failed `strata mount` leaves nothing behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { UnionConfig } from '../../common/contract.ts';
import { StrataError } from '../../common/errors.ts';
import { projectRoot } from '../sys/load.ts';
import { readLines } from '../worker/jsonLines.ts';
import { CONFIG_ENV, READY_FD, type WorkerReadyMessage } from '../worker/protocol.ts';
import { ensureDirs, workerLogPath } from './paths.ts';
import { clearStrataMountAt } from './stale.ts';

export const READY_TIMEOUT_MS = 20_000;

export interface SpawnOptions {
  /** Defaults to dist/worker.js of this installation. */
  workerPath?: string;
  readyTimeoutMs?: number;
}

export interface SpawnedWorker {
  child: ChildProcess;
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

/** The first line on the readiness pipe, or null when the worker exits or the pipe closes first. */
function firstMessage(child: ChildProcess, timeoutMs: number): Promise<WorkerReadyMessage | null | 'timeout'> {
  return new Promise((resolve) => {
    const pipe = child.stdio[READY_FD] as Readable;
    const timer = setTimeout(() => resolve('timeout'), timeoutMs);
    const done = (v: WorkerReadyMessage | null) => { clearTimeout(timer); resolve(v); };
    readLines(pipe, (line) => {
      try {
        done(JSON.parse(line) as WorkerReadyMessage);
      } catch {
        done(null);
      }
    }, () => done(null));
    pipe.once('end', () => done(null));
    child.once('exit', () => setTimeout(() => done(null), 100));
  });
}

/** Kills a worker that failed to start and clears a mount it may have left. */
async function discard(child: ChildProcess, mountpoint: string): Promise<void> {
  if (child.exitCode === null) {
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  await clearStrataMountAt(mountpoint);
}

export async function spawnWorker(config: UnionConfig, opts: SpawnOptions = {}): Promise<SpawnedWorker> {
  await ensureDirs();
  const logPath = workerLogPath(config.mountpoint);
  const logFile = await open(logPath, 'a', 0o600);
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [opts.workerPath ?? defaultWorkerPath()], {
      detached: true,
      stdio: ['ignore', logFile.fd, logFile.fd, 'pipe'],
      env: { ...process.env, [CONFIG_ENV]: JSON.stringify(config) },
    });
  } finally {
    await logFile.close();
  }
  const message = await firstMessage(child, opts.readyTimeoutMs ?? READY_TIMEOUT_MS);
  if (message && message !== 'timeout' && message.ok) {
    (child.stdio[READY_FD] as Readable).destroy();
    return { child, config, ready: message, logPath };
  }
  await discard(child, config.mountpoint);
  if (message === 'timeout') {
    throw new StrataError('WORKER_FAILED', `The worker for ${config.mountpoint} was not ready within ${(opts.readyTimeoutMs ?? READY_TIMEOUT_MS) / 1000} s and was stopped; see ${logPath}.`);
  }
  if (message) throw StrataError.from(message.error);
  throw new StrataError('WORKER_FAILED', `The worker for ${config.mountpoint} exited before it was ready (${await logTail(logPath)}); see ${logPath}.`);
}
