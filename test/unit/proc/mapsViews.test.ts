import { describe, expect, it } from 'vitest';
import type { MappedEntry } from '../../../main/common/maps.ts';
import { diffEntries, entryKey } from '../../../main/common/proc/mapsDiff.ts';
import { byFile, byProcess } from '../../../main/common/proc/mapsViews.ts';

const base: MappedEntry = {
  pid: 10,
  startTime: 5,
  command: 'python3',
  uid: 0,
  user: 'root',
  kind: 'fd',
  fd: 3,
  access: 'r',
  mountpoint: '/u',
  relPath: '/a',
  virtualPath: '/u/a',
  branch: 0,
  realPath: '/b0/a',
  deleted: false,
  direct: false,
};
const mmap: MappedEntry = { ...base, kind: 'mmap', fd: undefined, access: undefined, perms: 'r--s', shared: true, address: '1000-2000', size: 4096 };
const direct: MappedEntry = { ...base, pid: 11, fd: 4, branch: 1, realPath: '/b1/a', direct: true, directState: 'shadowed' };
const cwd: MappedEntry = { ...base, pid: 11, kind: 'cwd', fd: undefined, access: undefined, relPath: '/', virtualPath: '/u' };

describe('byProcess', () => {
  it('groups entries per process, pid order', () => {
    const views = byProcess([direct, base, mmap, cwd]);
    expect(views.map((v) => [v.pid, v.entries.length])).toEqual([
      [10, 2],
      [11, 2],
    ]);
    expect(views[0]).toMatchObject({ command: 'python3', user: 'root', startTime: 5 });
  });

  it('keeps a reused pid apart from its predecessor', () => {
    expect(byProcess([base, { ...base, startTime: 99, command: 'other' }])).toHaveLength(2);
  });
});

describe('byFile', () => {
  it('groups per file; a branch copy reached directly is a different file', () => {
    const files = byFile([base, mmap, direct, cwd]);
    expect(files.map((f) => [f.virtualPath, f.direct, f.entries.length, f.pids])).toEqual([
      ['/u', false, 1, [11]],
      ['/u/a', false, 2, [10]],
      ['/u/a', true, 1, [11]],
    ]);
    expect(files[2]).toMatchObject({ realPath: '/b1/a', directState: 'shadowed' });
  });
});

describe('diffEntries', () => {
  it('reports added and removed entries by identity', () => {
    expect(diffEntries([base, mmap], [mmap, direct])).toEqual({ added: [direct], removed: [base] });
    expect(diffEntries([base], [{ ...base }])).toEqual({ added: [], removed: [] });
  });

  it('reports a changed entry as removed and added', () => {
    const moved = { ...base, branch: 1, realPath: '/b1/a' };
    expect(diffEntries([base], [moved])).toEqual({ added: [moved], removed: [base] });
  });

  it('ignores an fd whose file only grew', () => {
    expect(diffEntries([{ ...base, size: 1 }], [{ ...base, size: 2 }])).toEqual({ added: [], removed: [] });
  });

  it('tells a reused pid from the old process', () => {
    expect(entryKey(base)).not.toBe(entryKey({ ...base, startTime: 6 }));
  });
});
