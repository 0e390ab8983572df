// The FUSE mounts of this mount namespace, and how a test cuts one off whatever its server does: the
// kernel connection aborted (every pending and future request fails at once), then the mount detached
// lazily. Plain JavaScript, for test/run.mjs as well as the tests.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

/** mountinfo writes a space, tab, newline or backslash in a path as a backslash and three octal digits. */
const unescaped = (field) => field.replace(/\\([0-7]{3})/g, (_, octal) => String.fromCharCode(parseInt(octal, 8)));

/** Every FUSE mount: its mountpoint and its connection's number (the minor device number). */
export function fuseMounts() {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const fields = line.split(' ');
      const fstype = fields[fields.indexOf('-') + 1];
      return { mountpoint: unescaped(fields[4]), connection: Number(fields[2].split(':')[1]), fuse: fstype === 'fuse' || fstype.startsWith('fuse.') };
    })
    .filter((m) => m.fuse)
    .map(({ mountpoint, connection }) => ({ mountpoint, connection }));
}

/** Aborts `mount`'s connection (its files belong to whoever mounted it, so a user can abort their own) and detaches it. */
export function cutOffMount(mount) {
  try {
    writeFileSync(`/sys/fs/fuse/connections/${mount.connection}/abort`, '1');
  } catch {
    // Gone already, or fusectl is not mounted: the lazy detach still takes it out of the tree.
  }
  const [cmd, ...args] = process.getuid() === 0 ? ['umount', '-l', mount.mountpoint] : ['fusermount3', '-u', '-z', mount.mountpoint];
  spawnSync(cmd, args, { stdio: 'ignore' });
}
