/**
 * What is at a path, for `fs:check`: kind, emptiness, and whether something is mounted there. A FUSE mount
 * is known from mountinfo alone and never stat'ed, since a hung one would never answer.
 */
import { opendir, stat } from 'node:fs/promises';
import type { PathFacts } from '../../common/folderChecks.ts';
import { readMountTable } from '../mounts/mountTable.ts';

async function isEmptyDir(path: string): Promise<boolean> {
  const dir = await opendir(path);
  try {
    return (await dir.read()) === null;
  } finally {
    await dir.close();
  }
}

async function factsOf(path: string, mountedFsType: string | undefined): Promise<PathFacts> {
  const base: PathFacts = mountedFsType === undefined ? { path, kind: 'unknown' } : { path, kind: 'unknown', mountedFsType };
  if (mountedFsType?.startsWith('fuse')) return base;
  try {
    const st = await stat(path);
    if (!st.isDirectory()) return { ...base, kind: st.isFile() ? 'file' : 'other' };
    return { ...base, kind: 'dir', empty: await isEmptyDir(path) };
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
    return { ...base, kind: code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable', reason: code };
  }
}

export async function pathFacts(paths: readonly string[]): Promise<PathFacts[]> {
  const table = await readMountTable();
  // The topmost mount at a path is the last line for it.
  const fsTypeAt = new Map(table.map((e) => [e.mountpoint, e.fstype]));
  return Promise.all(paths.map((p) => factsOf(p, fsTypeAt.get(p))));
}
