import { describe, expect, it } from 'vitest';
import type { MappedEntry, MapsSnapshot } from '../../../main/common/maps.ts';
import { busyReport } from '../../../main/node/service/trackerSource.ts';

function entry(pid: number, over: Partial<MappedEntry>): MappedEntry {
  return {
    pid, command: `cmd${pid}`, uid: 0, user: 'root', kind: 'fd', mountpoint: '/m', relPath: '/f', virtualPath: '/m/f',
    branch: 0, realPath: '/b0/f', deleted: false, direct: false, ...over,
  };
}

describe('busyReport', () => {
  const snapshot: MapsSnapshot = {
    at: 1,
    entries: [
      entry(1, { branch: 0 }),
      entry(1, { branch: 0, kind: 'mmap', virtualPath: '/m/g' }),
      entry(2, { branch: 1 }),
      entry(3, { branch: null }),
      entry(4, { branch: null, branchCandidates: [0, 2] }),
      entry(5, { mountpoint: '/other' }),
    ],
    uninspectable: [{ pid: 99, reason: 'permission denied' }],
  };

  it('names every process using the union, once, with its paths', () => {
    const report = busyReport(snapshot, '/m');
    expect(report.users.map((u) => u.pid)).toEqual([1, 2, 3, 4]);
    expect(report.users[0].paths).toEqual(['/m/f', '/m/g']);
    expect(report.uninspectable).toEqual(snapshot.uninspectable);
  });

  it('for a branch, counts the processes on it and those whose branch is unknown', () => {
    expect(busyReport(snapshot, '/m', 1).users.map((u) => u.pid)).toEqual([2, 3]);
    expect(busyReport(snapshot, '/m', 2).users.map((u) => u.pid)).toEqual([3, 4]);
    expect(busyReport(snapshot, '/other', 0)).toMatchObject({ busy: true, users: [{ pid: 5 }] });
    expect(busyReport({ ...snapshot, entries: [] }, '/m', 0).busy).toBe(false);
  });
});
