/**
 * /proc/locks: which process holds a file's lock. A line reads `1: FLOCK  ADVISORY  WRITE 1234
 * 00:1a:5678 0 EOF`: the lock's kind, mode, holder's pid, then the file as major:minor (hex) and inode;
 * a waiter's line has `->` after the number.
 */
import { splitDev } from '../blockDevice.ts';

/** The pid holding a flock on the file (`dev`, `ino`: its stat), or undefined when none does. */
export function flockHolder(locks: string, dev: number | bigint, ino: number | bigint): number | undefined {
  const { major, minor } = splitDev(dev);
  const file = `${major.toString(16).padStart(2, '0')}:${minor.toString(16).padStart(2, '0')}:${BigInt(ino)}`;
  for (const line of locks.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === 'FLOCK' && fields[5] === file) return Number(fields[4]);
  }
  return undefined;
}
