/**
 * How a host starts a mount worker. The CLI and `strata serve` start a detached Node process that
 * reports readiness on fd 3; Electron passes a spawner that forks utility processes, which report it as
 * their first message. Either way the manager sees the same handle.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { readLines } from '../control/jsonLines.ts';
import { READY_FD } from '../control/protocol.ts';

export interface WorkerProcess {
  pid: number | undefined;
  /** The worker's first message (its readiness report), or null when it exits or closes the channel first. */
  ready: Promise<unknown>;
  exited: Promise<number | null>;
  kill(): void;
  /** Let the host exit while the worker keeps serving. */
  detach(): void;
}

export type WorkerSpawner = (workerPath: string, env: Record<string, string>, logPath: string) => WorkerProcess;

export const childProcessSpawner: WorkerSpawner = (workerPath, env, logPath) => {
  const log = openSync(logPath, 'a', 0o600);
  const child = (() => {
    try {
      return spawn(process.execPath, [...(process.env.STRATA_PROF_DIR ? [`--cpu-prof`, `--cpu-prof-dir=${process.env.STRATA_PROF_DIR}`] : []), workerPath], {
        detached: true,
        stdio: ['ignore', log, log, 'pipe'],
        env: { ...process.env, ...env },
      });
    } finally {
      closeSync(log);
    }
  })();
  const pipe = child.stdio[READY_FD] as Readable;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const ready = new Promise<unknown>((resolve) => {
    readLines(
      pipe,
      (line) => {
        try {
          resolve(JSON.parse(line));
        } catch {
          resolve(null);
        }
      },
      () => resolve(null),
    );
    pipe.once('end', () => resolve(null));
    // The pipe may outlive a crashed worker for a moment; its exit settles the wait.
    void exited.then(() => setTimeout(() => resolve(null), 100));
  });
  return {
    pid: child.pid,
    ready,
    exited,
    kill: () => {
      if (child.exitCode === null) child.kill('SIGKILL');
    },
    detach: () => {
      pipe.destroy();
      child.unref();
    },
  };
};
