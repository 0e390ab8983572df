import { describe, expect, it } from 'vitest';
import { parseMountInfo } from '../../../main/common/mountinfo.ts';
import { NamespaceMounts } from '../../../main/common/proc/namespaceMounts.ts';
import { resolveUnions } from '../../../main/node/tracker/unionSource.ts';

const table = new NamespaceMounts(
  parseMountInfo(
    [
      '1 0 254:0 / / rw - ext4 /dev/vda rw',
      '40 1 0:40 / /u rw - fuse.strata strata:u rw',
      '41 1 0:41 / /other rw - fuse.strata strata:other rw',
      '42 1 0:42 / /m rw - fuse.mergerfs 0:1 rw',
    ].join('\n'),
  ),
);

describe('resolveUnions', () => {
  it('takes devices from mountinfo, branches from the source, and keeps unknown Strata mounts', () => {
    const { targets, servers } = resolveUnions([{ mountpoint: '/u', branches: [{ index: 0, path: '/b', mode: 'rw' }], servers: [99] }], table);
    expect(targets).toEqual([
      { mountpoint: '/u', major: 0, minor: 40, branches: [{ index: 0, path: '/b', mode: 'rw' }] },
      { mountpoint: '/other', major: 0, minor: 41, branches: [] },
    ]);
    expect([...servers]).toEqual([99]);
  });

  it('accepts a described non-Strata union, but not a mountpoint with nothing mounted', () => {
    const { targets } = resolveUnions(
      [
        { mountpoint: '/m', branches: [], servers: [] },
        { mountpoint: '/nothing', branches: [], servers: [] },
      ],
      table,
    );
    expect(targets.map((t) => t.mountpoint)).toEqual(['/m', '/u', '/other']);
  });
});
