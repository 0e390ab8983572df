/**
 * Activity counts include what the native backend serves without the engine: reads and writes on the
 * branch descriptor, getattr, and the attribute changes tar makes through an open file.
 */
import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OpStats } from '../../main/common/contract.ts';
import { controlRequest } from '../../main/node/mounts/controlClient.ts';
import { type UnionFixture, mountUnion, ok } from '../support/unionFixture.ts';

describe('activity counts with the native backend', () => {
  let u: UnionFixture;
  beforeAll(async () => {
    u = await mountUnion({ modes: ['rw'] });
  });
  afterAll(() => u?.cleanup());

  it('count reads, writes and bytes served on the branch descriptor', async () => {
    const before = await controlRequest<OpStats>(u.mnt, { op: 'stats' });
    await ok('dd', ['if=/dev/zero', `of=${u.at('data')}`, 'bs=1M', 'count=3', 'conv=fsync']);
    await ok('dd', [`if=${u.at('data')}`, 'of=/dev/null', 'bs=1M', 'iflag=direct']);
    await writeFile(u.at('small'), 'x');
    await ok('touch', ['-d', '2020-01-01', u.at('small')]);
    const after = await controlRequest<OpStats>(u.mnt, { op: 'stats' });
    expect(after.bytesWritten - before.bytesWritten).toBeGreaterThanOrEqual(3 << 20);
    expect(after.bytesRead - before.bytesRead).toBeGreaterThanOrEqual(3 << 20);
    expect((after.ops.write ?? 0) - (before.ops.write ?? 0)).toBeGreaterThanOrEqual(3);
    expect((after.ops.getattr ?? 0) - (before.ops.getattr ?? 0)).toBeGreaterThan(0);
    expect((after.ops.utimens ?? 0) - (before.ops.utimens ?? 0)).toBe(1);
  });
});
