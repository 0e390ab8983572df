/**
 * Small files on a branch the union does not write in place are read whole at open and put in the
 * kernel's page cache with the open's reply (native/fuse/src/prefill.h), so reading one takes no READ
 * request. What a reader sees must stay what the branch holds: after a change made directly in the
 * branch, after a copy-up, and through mmap.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { OpStats } from '../../main/common/contract.ts';
import { controlRequest } from '../../main/node/control/controlClient.ts';
import { type UnionFixture, mountUnion, ok, unlessFuseNative } from '../support/unionFixture.ts';

const itNative = unlessFuseNative('fuse-native serves every read through libfuse 2, which never prefills');
const counts = async (u: UnionFixture) => {
  const s = (await controlRequest(u.mnt, { op: 'stats' })) as OpStats;
  return { prefill: s.served.prefill ?? 0, read: s.ops.read ?? 0, bytesRead: s.bytesRead };
};
const KiB = 1024;
/** Sizes around the page and the 64 KiB limit; the last two are read by READ requests. */
const SMALL = [1, 4095, 4096, 4097, 20_000, 64 * KiB];
const LARGE = [64 * KiB + 1, 200 * KiB];
const content = (size: number, seed: number) => Buffer.from(Array.from({ length: size }, (_, i) => 97 + ((i * 7 + seed) % 26)));
/** Reads argv[1] whole through read() and through a shared read-only mapping; prints both, and its size. */
const READ_BOTH =
  'import mmap,os,sys\nfd=os.open(sys.argv[1],os.O_RDONLY)\nsize=os.fstat(fd).st_size\nm=mmap.mmap(fd,size,prot=mmap.PROT_READ)\nprint(os.read(fd,size+1).decode(),m[:].decode(),size,sep="|")';

describe('small files prefilled at open', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({
      modes: ['rw', 'ro'],
      populate: async ([, lower]) => {
        await mkdir(`${lower}/small`);
        await mkdir(`${lower}/large`);
        for (const size of SMALL) await writeFile(`${lower}/small/f${size}`, content(size, size));
        for (const size of LARGE) await writeFile(`${lower}/large/f${size}`, content(size, size));
        await writeFile(`${lower}/changed`, 'as laid down\n');
        await writeFile(`${lower}/mapped`, 'mapped lower data\n');
        await writeFile(`${lower}/raced`, 'lower lower data\n');
      },
    });
  });
  afterAll(() => u?.cleanup());

  itNative('serves small files with no READ request, each prefilled once while the kernel keeps its pages, bytes counted', async () => {
    await ok('ls', ['-l', u.at('small')]);
    const before = await counts(u);
    await ok('sh', ['-c', 'for f in "$1"/*; do cmp "$f" "$2/${f##*/}"; done', 'sh', u.at('small'), u.in(1, 'small')]);
    const first = await counts(u);
    expect(first.prefill - before.prefill).toBe(SMALL.length);
    expect(first.read - before.read).toBe(0);
    // The activity view's byte count still sees them.
    expect(first.bytesRead - before.bytesRead).toBe(SMALL.reduce((a, b) => a + b));
    await ok('sh', ['-c', 'for f in "$1"/*; do cmp "$f" "$2/${f##*/}"; done', 'sh', u.at('small'), u.in(1, 'small')]);
    expect(await counts(u)).toEqual(first);
  });

  itNative('reads larger files by READ requests, as before', async () => {
    await ok('ls', ['-l', u.at('large')]);
    const before = await counts(u);
    await ok('sh', ['-c', 'for f in "$1"/*; do cmp "$f" "$2/${f##*/}"; done', 'sh', u.at('large'), u.in(1, 'large')]);
    const after = await counts(u);
    expect(after.prefill - before.prefill).toBe(0);
    expect(after.read - before.read).toBeGreaterThanOrEqual(LARGE.length);
  });

  itNative('shows a change made directly in the branch, and prefills the new data afresh', async () => {
    expect(await ok('cat', [u.at('changed')])).toBe('as laid down\n');
    await writeFile(u.in(1, 'changed'), 'rewritten in the branch, longer\n');
    await expect.poll(() => ok('cat', [u.at('changed')]), { timeout: 5000 }).toBe('rewritten in the branch, longer\n');
    const before = await counts(u);
    expect(await ok('cat', [u.at('changed')])).toBe('rewritten in the branch, longer\n');
    // The READ that showed the kernel had dropped the old pages lets the next open prefill again.
    expect((await counts(u)).prefill - before.prefill).toBeLessThanOrEqual(1);
  });

  itNative('maps a prefilled file', async () => {
    expect((await ok('python3', ['-c', READ_BOTH, u.at('mapped')])).trim()).toBe('mapped lower data\n|mapped lower data\n|18');
  });

  itNative('a descriptor whose open prefilled the lower copy reads what a writer made after copying it up', async () => {
    const script =
      'import os,sys\np=sys.argv[1]\nr=os.open(p,os.O_RDONLY)\nw=os.open(p,os.O_RDWR)\nos.pwrite(w,b"RACED",0)\nos.close(w)\nprint(os.pread(r,100,0).decode(),end="")';
    const before = await counts(u);
    expect(await ok('python3', ['-c', script, u.at('raced')])).toBe('RACED lower data\n');
    expect((await counts(u)).prefill - before.prefill).toBe(1);
    expect((await ok('python3', ['-c', READ_BOTH, u.at('raced')])).trim()).toBe('RACED lower data\n|RACED lower data\n|17');
  });
});
