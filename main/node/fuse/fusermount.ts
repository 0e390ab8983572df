/**
 * Unmounting a FUSE filesystem with the setuid helper, by execFile (no shell: a mountpoint is data, never
 * code — fuse-native's own unmount() pastes it into a shell command). Works for root and for the user
 * who mounted it.
 */
import { execFile } from 'node:child_process';
import { EBUSY, EINVAL, FsError } from '../sys/errno.ts';

/**
 * `lazy` detaches the mount even while it is in use (fusermount -z); without it a busy mount rejects with
 * an FsError carrying errno EBUSY, and a path that is not mounted with EINVAL.
 */
export function fusermountUnmount(mountpoint: string, { lazy = false } = {}): Promise<void> {
  const args = lazy ? ['-u', '-z', '--', mountpoint] : ['-u', '--', mountpoint];
  return new Promise((resolve, reject) => {
    execFile('fusermount3', args, { timeout: 30_000 }, (err, _stdout, stderr) => {
      if (!err) return resolve();
      const text = String(stderr).trim() || err.message;
      if (/busy/i.test(text)) return reject(new FsError(EBUSY, text));
      if (/not found in|not mounted|invalid argument/i.test(text)) return reject(new FsError(EINVAL, text));
      reject(new Error(`fusermount3 -u ${mountpoint} failed: ${text}`));
    });
  });
}
