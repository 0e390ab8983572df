/**
 * Activity counts include what the native backend serves without the engine: reads and writes on the
 * branch descriptor, getattr, and the attribute changes tar makes through an open file. (With FUSE
 * passthrough the kernel does those reads and writes itself: union-nodes.test.ts; here it is off.)
 */
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { controlRequest } from '../../main/node/control/controlClient.ts';
import { type UnionFixture, mountUnion, ok } from '../support/unionFixture.ts';

describe('activity counts with the native backend', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({ modes: ['rw'], env: { ...process.env, STRATA_PASSTHROUGH: '0' } });
  });
  afterAll(() => u?.cleanup());

  it('count reads, writes and bytes served on the branch descriptor', async () => {
    const before = await controlRequest(u.mnt, { op: 'stats' });
    await ok('dd', ['if=/dev/zero', `of=${u.at('data')}`, 'bs=1M', 'count=3', 'conv=fsync']);
    await ok('dd', [`if=${u.at('data')}`, 'of=/dev/null', 'bs=1M', 'iflag=direct']);
    await writeFile(u.at('small'), 'x');
    await ok('touch', ['-d', '2020-01-01', u.at('small')]);
    const after = await controlRequest(u.mnt, { op: 'stats' });
    expect(after.bytesWritten - before.bytesWritten).toBeGreaterThanOrEqual(3 << 20);
    expect(after.bytesRead - before.bytesRead).toBeGreaterThanOrEqual(3 << 20);
    expect((after.ops.write ?? 0) - (before.ops.write ?? 0)).toBeGreaterThanOrEqual(3);
    expect((after.ops.getattr ?? 0) - (before.ops.getattr ?? 0)).toBeGreaterThan(0);
    expect((after.ops.utimens ?? 0) - (before.ops.utimens ?? 0)).toBe(1);
  });
});

describe('copy_file_range through the union', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({ modes: ['rw', 'ro'], populate: async ([, b1]) => writeFile(`${b1}/lower`, Buffer.alloc(3 << 20, 7)) });
  });
  afterAll(() => u?.cleanup());

  it('copies branch file to branch file in the kernel, and the copy reads back whole', async () => {
    const before = await controlRequest(u.mnt, { op: 'stats' });
    const script =
      'import os,sys\nsrc=os.open(sys.argv[1],os.O_RDONLY);dst=os.open(sys.argv[2],os.O_WRONLY|os.O_CREAT,0o644)\nn=0\nwhile True:\n  k=os.copy_file_range(src,dst,1<<20)\n  if k==0: break\n  n+=k\nprint(n)';
    expect((await ok('python3', ['-c', script, u.at('lower'), u.at('copy')])).trim()).toBe(String(3 << 20));
    const after = await controlRequest(u.mnt, { op: 'stats' });
    expect((after.ops.copy_file_range ?? 0) - (before.ops.copy_file_range ?? 0)).toBeGreaterThanOrEqual(3);
    expect(await ok('cmp', [u.at('lower'), u.at('copy')])).toBe('');
    expect((await ok('stat', ['-c', '%s', u.in(0, 'copy')])).trim()).toBe(String(3 << 20));
  });
});
