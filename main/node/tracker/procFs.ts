/**
 * The few /proc reads made outside the reader threads (the pid list, mount tables) and the error codes
 * every read can end with. Text is read as latin1 (one char per byte) so the parsers see the kernel's
 * exact bytes.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';
import { hasErrno } from '../sys/errno.ts';

export const PROC = '/proc';

/** The process is gone (exited mid-scan): its files are simply not there any more. */
export function isGone(err: unknown): boolean {
  return hasErrno(err, 'ENOENT', 'ESRCH');
}

/** Another user's process, or one we may not ptrace-read. */
export function isDenied(err: unknown): boolean {
  return hasErrno(err, 'EACCES', 'EPERM');
}

export function readProcText(path: string): Promise<string> {
  return readFile(path, 'latin1');
}

export function readProcLink(path: string): Promise<string> {
  return readlink(path, 'latin1');
}

export async function listPids(): Promise<number[]> {
  const names = await readdir(PROC);
  const pids: number[] = [];
  for (const n of names) {
    const c = n.charCodeAt(0);
    if (c >= 0x30 && c <= 0x39) pids.push(Number(n));
  }
  return pids;
}
