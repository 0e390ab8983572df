/**
 * Parsers for what /proc/PID/fd/N links to and /proc/PID/fdinfo/N (proc_pid_fdinfo(5)). Pure: give them
 * latin1 byte strings.
 */
import { decodeProcBytes, splitDeleted } from './procPath.ts';

export type AccessMode = 'r' | 'w' | 'rw';

export interface FdInfo {
  pos: number;
  /** open(2) flags, printed in octal. */
  flags: number;
  access: AccessMode;
  /** Mount ID as in mountinfo's first column; 0 for kernel-internal mounts (memfd, pipes on some kernels). */
  mntId: number;
  /** Inode number (Linux ≥ 5.14), as printed. */
  ino?: string;
}

const O_ACCMODE = 3;

export function accessMode(flags: number): AccessMode {
  const mode = flags & O_ACCMODE;
  return mode === 0 ? 'r' : mode === 1 ? 'w' : 'rw';
}

export function parseFdInfo(text: string): FdInfo | null {
  let pos = 0;
  let flags: number | undefined;
  let mntId: number | undefined;
  let ino: string | undefined;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const value = line.slice(colon + 1).trim();
    switch (line.slice(0, colon)) {
      case 'pos':
        pos = Number(value);
        break;
      case 'flags':
        flags = parseInt(value, 8);
        break;
      case 'mnt_id':
        mntId = Number(value);
        break;
      case 'ino':
        ino = value;
        break;
    }
  }
  if (flags === undefined || mntId === undefined || Number.isNaN(flags)) return null;
  return ino === undefined ? { pos, flags, access: accessMode(flags), mntId } : { pos, flags, access: accessMode(flags), mntId, ino };
}

/** What an fd (or cwd, root, exe) link points at: a path, or an object without one ('pipe:[12]', 'anon_inode:[eventfd]'). */
export type LinkTarget = { kind: 'path'; path: string; deleted: boolean } | { kind: 'other'; text: string };

export function parseLink(bytes: string): LinkTarget {
  if (!bytes.startsWith('/')) return { kind: 'other', text: decodeProcBytes(bytes) };
  return { kind: 'path', ...splitDeleted(decodeProcBytes(bytes)) };
}
