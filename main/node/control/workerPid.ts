/**
 * The worker's pid file next to its control socket: `<pid> <start time>`. It tells a worker that is
 * alive but silent (stopped, or stuck) from one that is gone, without touching the mount; the start
 * time guards against a reused pid.
 */
import { readFile, unlink, writeFile } from 'node:fs/promises';
import { liveProcess, ownStartTime } from '../sys/processIdentity.ts';
import { workerPidPath } from './paths.ts';

export interface LiveWorker {
  pid: number;
  /** Stopped by a signal (SIGSTOP, a debugger): it answers nothing until continued. */
  stopped: boolean;
}

export async function writeWorkerPid(mountpoint: string): Promise<void> {
  await writeFile(workerPidPath(mountpoint), `${process.pid} ${await ownStartTime()}\n`, { mode: 0o600 });
}

export async function removeWorkerPid(mountpoint: string): Promise<void> {
  const mine = (await readFile(workerPidPath(mountpoint), 'utf8').catch(() => '')).startsWith(`${process.pid} `);
  if (mine) await unlink(workerPidPath(mountpoint)).catch(() => undefined);
}

/** The mount's worker: its process if it still exists, 'gone' if it wrote a pid that is gone, null without a pid file. */
export async function findWorker(mountpoint: string): Promise<LiveWorker | 'gone' | null> {
  const [pidText, startText] = (await readFile(workerPidPath(mountpoint), 'utf8').catch(() => '')).trim().split(' ');
  const pid = Number(pidText);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  const stat = await liveProcess(pid, Number(startText));
  if (!stat) return 'gone';
  return { pid, stopped: stat.state === 'T' || stat.state === 't' };
}
