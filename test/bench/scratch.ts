/**
 * Where the bench's branches live: by default a fresh ext4 filesystem, made by `mkfs.ext4` with its
 * defaults (a journal among them) in an image file and mounted through a loop device, so every run
 * starts on the same kind of filesystem whatever the machine's own is. ext4 without a journal (this
 * project's test VM's root) skips, when it picks an inode for a new file, every one freed in the last
 * 5 s, or 5 min while its inode table block is dirty: after a pass had removed 10k files, a create took
 * 190-410 µs on the raw directory, three quarters of it in `recently_deleted` (`perf`), against 21 µs on
 * a fresh group, and the create, untar and copy-up rows measured the allocator rather than the unions.
 * The loop device reads its image with direct I/O, so the cold rows read the disk, not a second page
 * cache. `--dir` runs on a directory's own filesystem instead.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync } from 'node:fs';
import { join } from 'node:path';

/** Room for the largest row's files on every target at once (six 256 MiB files, with margin); sparse. */
const IMAGE_BYTES = 16 * 1024 ** 3;

export interface Scratch {
  /** An empty directory on it, for the run. */
  dir: string;
  /** What it is, for the run's header. */
  describe: string;
  teardown(): void;
}

const run = (cmd: string, args: string[]) => execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** A fresh directory under `parent`, on its own filesystem. */
export function scratchIn(parent: string): Scratch {
  const dir = mkdtempSync(join(parent, 'strata-bench-'));
  const type = run('findmnt', ['-n', '-o', 'FSTYPE', '-T', dir]);
  return { dir, describe: `${parent} (${type})`, teardown: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh ext4 filesystem on a loop device over an image under `parent` (root). */
export function scratchFilesystem(parent: string): Scratch {
  const home = mkdtempSync(join(parent, 'strata-bench-'));
  const image = join(home, 'fs.img');
  const dir = join(home, 'fs');
  let device = '';
  let mounted = false;
  const teardown = () => {
    try {
      if (mounted) {
        try {
          run('umount', [dir]);
        } catch {
          run('umount', ['-l', dir]);
        }
      }
    } finally {
      if (device) run('losetup', ['-d', device]);
      rmSync(home, { recursive: true, force: true });
    }
  };
  try {
    const free = statfsSync(home);
    if (free.bavail * free.bsize < IMAGE_BYTES / 4)
      throw new Error(`${parent} has under ${IMAGE_BYTES / 4 / 1024 ** 3} GiB free for the filesystem's image; set TMPDIR to a roomier directory`);
    const fd = openSync(image, 'w');
    ftruncateSync(fd, IMAGE_BYTES);
    closeSync(fd);
    // Inode tables and journal written now, not by ext4lazyinit in the background of the first rows.
    run('mkfs.ext4', ['-q', '-F', '-E', 'lazy_itable_init=0,lazy_journal_init=0', image]);
    device = run('losetup', ['--find', '--show', '--direct-io=on', image]);
    mkdirSync(dir);
    run('mount', [device, dir]);
    mounted = true;
    return { dir, describe: `a fresh ext4 (mkfs.ext4's defaults, journaled) on ${device}`, teardown };
  } catch (e) {
    teardown();
    throw e;
  }
}
