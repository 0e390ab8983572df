// A sparse file reads as sparse through the union: lseek's SEEK_DATA and SEEK_HOLE reach the branch file,
// so `cp` and `tar -S` keep its holes, on either branch, on handles the FUSE thread serves and on those
// the engine serves (moveonenospc), as on the branch itself and on kernel overlayfs.
import { stat, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import { type UnionFixture, mountUnion, ok, unlessFuseNative } from '../support/unionFixture.ts';

const MiB = 1024 * 1024;

// The file's data extents, [start, end) each, walked with SEEK_DATA and SEEK_HOLE.
const EXTENTS = `
import os, sys
fd = os.open(sys.argv[1], os.O_RDWR if sys.argv[2] == 'rw' else os.O_RDONLY)
out, pos = [], 0
while True:
    try:
        start = os.lseek(fd, pos, os.SEEK_DATA)
    except OSError:
        break
    pos = os.lseek(fd, start, os.SEEK_HOLE)
    out.append([start, pos])
print(out)
`;
const extents = (path: string, access: 'ro' | 'rw' = 'ro') => ok('python3', ['-c', EXTENTS, path, access]);

// 8 MiB with 4 KiB of data at 1 MiB and at 5 MiB, holes elsewhere.
async function sparse(path: string): Promise<void> {
  await ok('truncate', ['-s', '8M', path]);
  for (const at of [1, 5]) await ok('dd', ['if=/dev/urandom', `of=${path}`, 'bs=4096', 'count=1', `seek=${at * 256}`, 'conv=notrunc', 'status=none']);
}

const uses = (path: string) => stat(path).then((s) => s.blocks * 512);

describe.each([
  ['the FUSE thread', []],
  ['the engine (moveonenospc)', ['--moveonenospc', 'mfs']],
])('holes of a file served by %s', (_, args) => {
  const it = unlessFuseNative('libfuse 2 has no lseek: every offset before the end reads as data');
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({ modes: ['rw', 'ro'], args, populate: async ([, lower]) => sparse(`${lower}/low.img`) });
  });
  afterAll(() => u?.cleanup());

  it('shows a lower file holes where the branch has them, and cp keeps them', async () => {
    const want = await extents(u.in(1, 'low.img'));
    expect(want).toBe(`[[${MiB}, ${MiB + 4096}], [${5 * MiB}, ${5 * MiB + 4096}]]\n`);
    expect(await extents(u.at('low.img'))).toBe(want);
    await ok('cp', [u.at('low.img'), `${u.root}/out.img`]);
    expect(await uses(`${u.root}/out.img`)).toBeLessThan(64 * 1024);
    await ok('cmp', [u.at('low.img'), `${u.root}/out.img`]);
  });

  it('shows holes of a file it writes, and of one it copied up', async () => {
    await writeFile(u.at('new.img'), '');
    await ok('truncate', ['-s', '4M', u.at('new.img')]);
    await ok('dd', ['if=/dev/urandom', `of=${u.at('new.img')}`, 'bs=4096', 'count=2', 'seek=512', 'conv=notrunc', 'status=none']);
    await ok('fallocate', ['--punch-hole', '--offset', String(2 * MiB), '--length', '4096', u.at('new.img')]);
    expect(await extents(u.at('new.img'), 'rw')).toBe(`[[${2 * MiB + 4096}, ${2 * MiB + 8192}]]\n`);
    // opened for writing: copied up, holes and all, and answered on the upper copy
    expect(await extents(u.at('low.img'), 'rw')).toBe(await extents(u.in(0, 'low.img')));
    expect(await extents(u.in(0, 'low.img'))).toBe(`[[${MiB}, ${MiB + 4096}], [${5 * MiB}, ${5 * MiB + 4096}]]\n`);
  });

  it('says there is no data past the last extent (ENXIO)', async () => {
    const r = await ok('python3', [
      '-c',
      `import os\nfd = os.open(${JSON.stringify(u.at('low.img'))}, os.O_RDONLY)\ntry:\n  os.lseek(fd, ${6 * MiB}, os.SEEK_DATA)\nexcept OSError as e:\n  print(e.errno)`,
    ]);
    expect(r).toBe('6\n');
  });
});
