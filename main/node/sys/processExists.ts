import { hasErrno } from './errno.ts';

/** Does a process with this pid exist? EPERM means it does, but belongs to someone we may not signal. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return hasErrno(err, 'EPERM');
  }
}
