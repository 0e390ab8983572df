/**
 * Async reads of /proc for the tracker. Everything is read as latin1 (one char per byte) so the pure
 * parsers see the kernel's exact bytes. Reading /proc never enters a FUSE filesystem: readlink of
 * /proc/PID/fd/N and reading maps print paths from the kernel's dentries without a lookup.
 */
import { readdir, readFile, readlink, stat } from 'node:fs/promises';

export const PROC = '/proc';

/** The process is gone (exited mid-scan): its files are simply not there any more. */
export function isGone(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'ENOENT' || code === 'ESRCH';
}

/** Another user's process, or one we may not ptrace-read. */
export function isDenied(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'EACCES' || code === 'EPERM';
}

export function readProcText(path: string): Promise<string> {
  return readFile(path, 'latin1');
}

export function readProcLink(path: string): Promise<string> {
  return readlink(path, 'latin1');
}

export function listProcDir(path: string): Promise<string[]> {
  return readdir(path);
}

/** st_size of /proc/PID/fd: the number of open fds since Linux 6.2, 0 before. */
export async function procDirSize(path: string): Promise<number> {
  return (await stat(path)).size;
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

/** Null instead of throwing when the thing is gone; other errors propagate. */
export async function unlessGone<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (err) {
    if (isGone(err)) return null;
    throw err;
  }
}
