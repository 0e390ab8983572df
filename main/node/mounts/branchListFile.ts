/**
 * Each worker keeps its union's branch list in a file next to its control socket, written when it
 * starts (before it mounts) and around every reconfiguration. The loop check (unionLoopCheck.ts) reads
 * other unions' branches there: no request to a worker that may be busy or hung, and no look into any
 * mount.
 */
import { readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BRANCH_LIST_SUFFIX, branchListPath, runtimeDir } from '../control/paths.ts';
import { liveProcess, ownStartTime } from '../sys/processIdentity.ts';

interface BranchListRecord {
  mountpoint: string;
  /** The worker's, with its start time: a list left by a worker that died must not pass for the process that got its pid. */
  pid: number;
  startTime: number;
  branches: string[];
}

async function readRecordAt(path: string): Promise<BranchListRecord | undefined> {
  try {
    const record = JSON.parse(await readFile(path, 'utf8')) as BranchListRecord;
    const wellFormed =
      typeof record.mountpoint === 'string' &&
      branchListPath(record.mountpoint) === path &&
      Number.isInteger(record.pid) &&
      Number.isInteger(record.startTime) &&
      Array.isArray(record.branches) &&
      record.branches.every((b) => typeof b === 'string');
    return wellFormed ? record : undefined;
  } catch {
    return undefined;
  }
}

const readRecord = (mountpoint: string) => readRecordAt(branchListPath(mountpoint));

/** Replaces the file atomically, so a reader sees the old list or the new one, never a torn one. */
export async function publishBranchList(mountpoint: string, branches: readonly string[]): Promise<void> {
  const path = branchListPath(mountpoint);
  const temp = `${path}.${process.pid}.tmp`;
  const record: BranchListRecord = { mountpoint, pid: process.pid, startTime: await ownStartTime(), branches: [...branches] };
  await writeFile(temp, JSON.stringify(record), { mode: 0o600 });
  await rename(temp, path);
}

export async function readBranchList(mountpoint: string): Promise<string[] | undefined> {
  return (await readRecord(mountpoint))?.branches;
}

/**
 * Mountpoints of the unions whose worker is alive and has published its branches: mounted, or about
 * to be. A union being mounted is not in mountinfo yet, and a check that missed it could let a loop
 * close at the moment it mounts.
 */
export async function publishedMountpoints(): Promise<string[]> {
  return mountpointsOfWorkers(true);
}

/** Mountpoints whose branch list a worker that is gone left behind (its other runtime files beside it). */
export async function abandonedMountpoints(): Promise<string[]> {
  return mountpointsOfWorkers(false);
}

async function mountpointsOfWorkers(alive: boolean): Promise<string[]> {
  const names = await readdir(runtimeDir()).catch(() => [] as string[]);
  const records = await Promise.all(names.filter((n) => n.endsWith(BRANCH_LIST_SUFFIX)).map((n) => readRecordAt(join(runtimeDir(), n))));
  const found = await Promise.all(records.map(async (r) => (r && ((await liveProcess(r.pid, r.startTime)) !== null) === alive ? [r.mountpoint] : [])));
  return found.flat();
}

/** Removes this process's file; a newer worker's file for the same mountpoint is left alone. */
export async function withdrawBranchList(mountpoint: string): Promise<void> {
  if ((await readRecord(mountpoint))?.pid === process.pid) await unlink(branchListPath(mountpoint)).catch(() => undefined);
}

/** After a worker died: its file no longer describes anything. */
export async function dropBranchList(mountpoint: string): Promise<void> {
  await unlink(branchListPath(mountpoint)).catch(() => undefined);
}
