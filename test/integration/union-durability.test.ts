// What a program makes durable through the union survives a crash, as on the branch itself: an fsync(2)
// of a directory syncs its copies on the branches the union writes, so a name renamed into place, a
// name removed (its whiteout) or a file made in a directory copied up for it outlives a crash once its
// directory is synced. The writable branch is an ext4 image that commits its journal only every five
// minutes, "crashed" by EXT4_IOC_SHUTDOWN without flushing the journal (what the disk holds is what a
// power cut would leave), then mounted again. Root only (loop devices, the shutdown ioctl).
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, asRoot, forceUnmount, isMounted, ok, run, strata, withTempRoot } from '../support/unionFixture.ts';
import { cleanupUnder } from '../support/mountCleanup.ts';

// A few changes, each directory's fsync after them, then the shutdown (EXT4_GOING_FLAGS_NOLOGFLUSH).
const CHANGES = `
import fcntl, os, struct, sys
m, disk = sys.argv[1:]
def sync_dir(d):
    fd = os.open(d, os.O_RDONLY | os.O_DIRECTORY)
    os.fsync(fd)
    os.close(fd)
with open(os.path.join(m, 'new.tmp'), 'w') as f:
    f.write('new')
    f.flush()
    os.fsync(f.fileno())
os.rename(os.path.join(m, 'new.tmp'), os.path.join(m, 'new'))
os.unlink(os.path.join(m, 'gone'))
sync_dir(m)
open(os.path.join(m, 'lower', 'made'), 'w').close()
sync_dir(os.path.join(m, 'lower'))
fd = os.open(disk, os.O_RDONLY)
fcntl.ioctl(fd, 0x8004587D, struct.pack('I', 2))
os.close(fd)
`;

describe.runIf(asRoot)('durability through the union', () => {
  let root: string;
  const at = (...parts: string[]) => join(root, ...parts);

  beforeEach(async () => {
    root = await withTempRoot('strata-it-durable-');
    for (const dir of ['disk', 'lo/lower', 'mnt']) await mkdir(at(dir), { recursive: true });
    await writeFile(at('lo', 'gone'), 'lower\n');
    await ok('truncate', ['-s', '64M', at('disk.img')]);
    await ok('mkfs.ext4', ['-q', '-F', at('disk.img')]);
    await ok('mount', ['-o', 'loop,commit=300', at('disk.img'), at('disk')]);
    await mkdir(at('disk', 'up'));
    await ok('sync', ['-f', at('disk')]);
  });

  afterEach(async () => {
    if (!root) return;
    if (await isMounted(at('mnt'))) await forceUnmount(at('mnt'));
    await cleanupUnder(root);
  });

  async function union(): Promise<void> {
    await ok(process.execPath, [CLI, 'mount', at('mnt'), '--branch', `${at('disk', 'up')}=rw`, '--branch', `${at('lo')}=ro`]);
  }

  it('keeps what a synced directory holds: a name renamed into place, a whiteout, a file in a copied-up directory', async () => {
    await union();
    await ok('python3', ['-c', CHANGES, at('mnt'), at('disk')]);
    await strata(['unmount', at('mnt'), '--force']);
    await ok('umount', [at('disk')]);
    await ok('mount', ['-o', 'loop', at('disk.img'), at('disk')]);
    await union();
    expect((await readdir(at('mnt'))).sort()).toEqual(['lower', 'new']);
    expect(await ok('cat', [at('mnt', 'new')])).toBe('new');
    expect(await readdir(at('mnt', 'lower'))).toEqual(['made']);
    // Not read from the union's caches: the disk holds them.
    expect((await run('ls', ['-A', at('disk', 'up', 'lower')])).stdout).toBe('made\n');
  });
});
