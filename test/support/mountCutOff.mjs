// The mounts of this mount namespace, and how a test cuts one off whatever serves it: a FUSE mount's
// kernel connection aborted (every pending and future request fails at once), then the mount detached
// lazily. Plain JavaScript, for test/run.mjs as well as the tests.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/** mountinfo writes a space, tab, newline or backslash in a path as a backslash and three octal digits. */
const unescaped = (field) => field.replace(/\\([0-7]{3})/g, (_, octal) => String.fromCharCode(parseInt(octal, 8)));

/** Every mount: its mountpoint, whether it is FUSE, and its FUSE connection's number (the minor device number). */
export function mountTable() {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const fields = line.split(' ');
      const fstype = fields[fields.indexOf('-') + 1];
      return { mountpoint: unescaped(fields[4]), fuse: fstype === 'fuse' || fstype.startsWith('fuse.'), connection: Number(fields[2].split(':')[1]) };
    });
}

/**
 * Aborts `mount`'s connection if it is FUSE (its files belong to whoever mounted it, so a user can abort
 * their own) and detaches it.
 */
export function cutOffMount(mount) {
  if (mount.fuse) {
    try {
      writeFileSync(`/sys/fs/fuse/connections/${mount.connection}/abort`, '1');
    } catch {
      // Gone already, or fusectl is not mounted: the lazy detach still takes it out of the tree.
    }
  }
  const [cmd, ...args] = process.getuid() === 0 ? ['umount', '-l', mount.mountpoint] : ['fusermount3', '-u', '-z', mount.mountpoint];
  spawnSync(cmd, args, { stdio: 'ignore' });
}
