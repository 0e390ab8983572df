// A file unlinked while a process holds it open behaves as on kernel overlayfs: the name is gone at
// once, the directory can be removed, and the open descriptor keeps reading and fstat'ing the file.
import { access, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { type UnionFixture, background, mountUnion, ok, unlessFuseNative } from '../support/unionFixture.ts';

// Opens the files named in argv, then on each trigger file (polled, outside the mount) reads every
// descriptor from the start and reports content, size and link count from fstat.
const HOLDER = `
import os, sys, time
root, files = sys.argv[1], sys.argv[2:]
fds = [os.open(f, os.O_RDONLY) for f in files]
print('opened', flush=True)
for step in ('go1', 'go2'):
    while not os.path.exists(os.path.join(root, step)):
        time.sleep(0.02)
    for fd in fds:
        data = os.pread(fd, 100, 0).decode()
        st = os.fstat(fd) if step == 'go1' else None
        print(step, data, st.st_size if st else '-', st.st_nlink if st else '-', flush=True)
`;

describe('a file unlinked while open', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      populate: async ([b0, b1]) => {
        await mkdir(join(b0, 'dir'));
        await writeFile(join(b0, 'dir/upper'), 'up');
        await mkdir(join(b1, 'dir'));
        await writeFile(join(b1, 'dir/lower'), 'low');
      },
    });
  });
  afterAll(() => u?.cleanup());

  // libfuse 2's high-level API cannot name a file whose directory is gone, and fuse-native offers no nullpath_ok.
  unlessFuseNative("after rm -rf of its directory an open file cannot be read or fstat'd (ENOENT)")(
    'leaves the listing at once, lets the directory go, and keeps serving the descriptor',
    async () => {
      const holder = background('python3', ['-c', HOLDER, u.root, u.at('dir/upper'), u.at('dir/lower')]);
      try {
        await holder.waitFor('opened');
        await ok('rm', [u.at('dir/upper'), u.at('dir/lower')]);
        expect((await ok('ls', ['-a', u.at('dir')])).split('\n').filter(Boolean)).toEqual(['.', '..']);

        await writeFile(join(u.root, 'go1'), '');
        await holder.waitFor('go1 low');
        expect(holder.output()).toContain('go1 up 2 0\n');
        expect(holder.output()).toContain('go1 low 3 0\n');

        await ok('rm', ['-rf', u.at('dir')]);
        await expect(access(u.at('dir'))).rejects.toThrow(/ENOENT/);
        // Nothing was hidden or copied up on the writable branch; the read-only one is untouched.
        expect((await readdir(u.branches[0])).filter((n) => !n.startsWith('.wh.'))).toEqual([]);
        expect(await readdir(join(u.branches[1], 'dir'))).toEqual(['lower']);

        await writeFile(join(u.root, 'go2'), '');
        await holder.waitFor('go2 low');
        expect(holder.output()).toContain('go2 up - -\n');
        expect(await holder.exited).toBe(0);
      } finally {
        await holder.stop();
      }
    },
  );
});
