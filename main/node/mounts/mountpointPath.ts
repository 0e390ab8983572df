/**
 * A mountpoint argument as the kernel names it in mountinfo, found without touching the mountpoint
 * itself: a dead FUSE mount fails every stat with ENOTCONN and a hung one never answers. Only the parent
 * directory is resolved (symlinks and all, up to any FUSE or network mount it lies on).
 */
import { basename, dirname, join, resolve } from 'node:path';
import { resolveWithoutWaiting } from './deadlineFs.ts';

export async function resolveMountpoint(arg: string): Promise<string> {
  const abs = resolve(arg);
  if (abs === '/') return abs;
  const parent = (await resolveWithoutWaiting(dirname(abs))).path;
  return join(parent, basename(abs));
}
