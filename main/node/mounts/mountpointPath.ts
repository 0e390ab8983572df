/**
 * A mountpoint argument as the kernel names it in mountinfo, found without touching the mountpoint
 * itself: a dead FUSE mount fails every stat with ENOTCONN and a hung one never answers. Only the parent
 * directory is resolved (symlinks and all).
 */
import { realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

export async function resolveMountpoint(arg: string): Promise<string> {
  const abs = resolve(arg);
  if (abs === '/') return abs;
  const parent = await realpath(dirname(abs)).catch(() => dirname(abs));
  return join(parent, basename(abs));
}
