/**
 * The kernel's FUSE connection of a mount, under the fusectl filesystem: its number is the mount's minor
 * device number from mountinfo. Writing to `abort` fails every pending and future request at once, which
 * is how a dead or hung server is cut off before its mount is detached.
 */
import { readFile, stat, writeFile } from 'node:fs/promises';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readMountTable } from './mountTable.ts';

const FUSECTL = '/sys/fs/fuse/connections';

/** systemd mounts fusectl at boot; containers and minimal systems may not. Only root can mount it. */
export async function ensureFusectl(): Promise<boolean> {
  if ((await readMountTable()).some((e) => e.fstype === 'fusectl' && e.mountpoint === FUSECTL)) return true;
  if (process.getuid?.() !== 0) return false;
  return promisify(execFile)('mount', ['-t', 'fusectl', 'fusectl', FUSECTL]).then(
    () => true,
    () => false,
  );
}

/**
 * The inode of the connection's fusectl directory: minor numbers are handed out lowest-free, so once a
 * connection ends the next FUSE mount anywhere takes its number, and only the inode tells them apart.
 */
export async function connectionInode(minor: number): Promise<number | undefined> {
  if (!(await ensureFusectl())) return undefined;
  return stat(`${FUSECTL}/${minor}`).then(
    (st) => st.ino,
    () => undefined,
  );
}

/**
 * Whether the kernel still holds the connection (it outlives a lazy unmount while files stay open);
 * with `inode`, that very connection rather than a later one with the same number. Without fusectl
 * this cannot be known and answers false.
 */
export async function connectionAlive(minor: number, inode?: number): Promise<boolean> {
  if (!(await ensureFusectl())) return false;
  return stat(`${FUSECTL}/${minor}`).then(
    (st) => inode === undefined || st.ino === inode,
    () => false,
  );
}

/** Returns false when the connection cannot be aborted (no fusectl, or not permitted). */
export async function abortConnection(minor: number): Promise<boolean> {
  if (!(await ensureFusectl())) return false;
  return writeFile(`${FUSECTL}/${minor}/abort`, '1').then(
    () => true,
    () => false,
  );
}

/** Requests the kernel holds for the connection (queued or with the server); null without fusectl. */
export async function waitingRequests(minor: number): Promise<number | null> {
  const text = await readFile(`${FUSECTL}/${minor}/waiting`, 'utf8').catch(() => null);
  return text === null ? null : Number(text.trim());
}
