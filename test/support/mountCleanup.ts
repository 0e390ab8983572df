/**
 * For lifecycle tests that mount, kill and remount by hand: what is mounted or running under a test root,
 * and a cleanup that leaves nothing behind even after a failed test (dead workers, busy mounts).
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { parseMountInfo, type MountInfoEntry } from '../../main/common/mountinfo.ts';
import { forceUnmount, strata } from './unionFixture.ts';

export async function mountsUnder(root: string): Promise<MountInfoEntry[]> {
  const mounts = parseMountInfo(await readFile('/proc/self/mountinfo', 'utf8'));
  return mounts.filter((m) => m.mountpoint === root || m.mountpoint.startsWith(root + '/'));
}

/** Worker processes whose UnionConfig (in their initial environment) names a path under `root`. */
export async function workerPidsFor(root: string): Promise<number[]> {
  const pids: number[] = [];
  for (const name of await readdir('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const [cmdline, environ] = await Promise.all([
      readFile(`/proc/${name}/cmdline`, 'utf8').catch(() => ''),
      readFile(`/proc/${name}/environ`, 'utf8').catch(() => ''),
    ]);
    if (cmdline.includes('worker.js') && environ.includes(`"${root}/`)) pids.push(Number(name));
  }
  return pids;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops workers the way a service manager would: SIGTERM, so a worker whose mount is gone withdraws its
 * socket, pid file and branch list itself; SIGKILL for any still running after a few seconds (a stopped
 * or stuck one).
 */
export async function stopWorkers(pids: number[]): Promise<void> {
  const live = pids.filter(isAlive);
  for (const pid of live) process.kill(pid, 'SIGTERM');
  await waitUntil('the workers exit', () => live.every((pid) => !isAlive(pid)), 3000).catch(() => undefined);
  for (const pid of live) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
}

export async function waitUntil(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Unmounts everything under `root` (unions first, then e.g. their tmpfs branches), stops its workers, removes the tree. */
export async function cleanupUnder(root: string): Promise<void> {
  const mounts = (await mountsUnder(root)).sort((a, b) => Number(b.fstype === 'fuse.strata') - Number(a.fstype === 'fuse.strata'));
  for (const m of mounts) {
    if (m.fstype === 'fuse.strata') await strata(['unmount', '--force', m.mountpoint]);
    await forceUnmount(m.mountpoint);
  }
  await stopWorkers(await workerPidsFor(root));
  if ((await mountsUnder(root)).length === 0) await rm(root, { recursive: true, force: true });
}
