/**
 * Where a mount's files live: its control socket (runtime dir, gone at reboot like the mount itself) and
 * its worker log (state dir, kept for after-the-fact debugging). Both are keyed by a hash of the
 * mountpoint, so the CLI finds a worker from mountinfo alone and paths stay short enough for sun_path.
 * STRATA_RUNTIME_DIR / STRATA_STATE_DIR override the defaults (tests isolate themselves with them).
 */
import { createHash } from 'node:crypto';
import { mkdir, stat } from 'node:fs/promises';
import { StrataError } from '../../common/errors.ts';
import { homedir } from 'node:os';
import { join } from 'node:path';

const isRoot = () => process.getuid?.() === 0;

export function runtimeDir(): string {
  if (process.env.STRATA_RUNTIME_DIR) return process.env.STRATA_RUNTIME_DIR;
  if (process.env.XDG_RUNTIME_DIR && !isRoot()) return join(process.env.XDG_RUNTIME_DIR, 'strata');
  return isRoot() ? '/run/strata' : join('/tmp', `strata-${process.getuid?.() ?? 'user'}`);
}

export function stateDir(): string {
  if (process.env.STRATA_STATE_DIR) return process.env.STRATA_STATE_DIR;
  if (isRoot()) return '/var/log/strata';
  return join(process.env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'strata');
}

export function mountKey(mountpoint: string): string {
  return createHash('sha256').update(mountpoint).digest('hex').slice(0, 16);
}

export function controlSocketPath(mountpoint: string): string {
  return join(runtimeDir(), `${mountKey(mountpoint)}.sock`);
}

export function workerPidPath(mountpoint: string): string {
  return join(runtimeDir(), `${mountKey(mountpoint)}.pid`);
}

/** Held by the mountpoint's worker (mountpointClaim.ts). */
export function workerLockPath(mountpoint: string): string {
  return join(runtimeDir(), `${mountKey(mountpoint)}.lock`);
}

export function workerLogPath(mountpoint: string): string {
  return join(stateDir(), `${mountKey(mountpoint)}.log`);
}

/**
 * Private directories: the socket's 0600 mode is the access control, the 0700 dir a second fence. A
 * runtime dir someone else made first (the /tmp fallback is predictable) could let them swap sockets.
 */
export async function ensureDirs(): Promise<void> {
  await mkdir(stateDir(), { recursive: true, mode: 0o700 });
  const dir = runtimeDir();
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const st = await stat(dir);
  if (st.uid !== process.getuid?.() || (st.mode & 0o077) !== 0) {
    throw new StrataError(
      'PERMISSION',
      `${dir} is not private to you (owner ${st.uid}, mode ${(st.mode & 0o777).toString(8)}): remove it, or set XDG_RUNTIME_DIR.`,
    );
  }
}

export const BRANCH_LIST_SUFFIX = '.branches.json';

/** The union's branch list as its worker last published it (branchListFile.ts). */
export function branchListPath(mountpoint: string): string {
  return join(runtimeDir(), `${mountKey(mountpoint)}${BRANCH_LIST_SUFFIX}`);
}
