/** Reads the kernel's mount table. Reading /proc never touches a FUSE mount, so it is safe everywhere. */
import { readFile } from 'node:fs/promises';
import { parseMountInfo, STRATA_FSTYPE, type MountInfoEntry } from '../../common/mountinfo.ts';

export async function readMountTable(): Promise<MountInfoEntry[]> {
  return parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8'));
}

export async function strataMounts(): Promise<MountInfoEntry[]> {
  return (await readMountTable()).filter((e) => e.fstype === STRATA_FSTYPE);
}

/** The topmost mount at exactly `mountpoint` (later lines stack on earlier ones). */
export async function mountAt(mountpoint: string): Promise<MountInfoEntry | undefined> {
  return (await readMountTable()).filter((e) => e.mountpoint === mountpoint).at(-1);
}
