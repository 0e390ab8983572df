import { describe, expect, it } from 'vitest';
import type { HandleInfo, WhereResult } from '../../../main/common/contract.ts';
import type { UnionTarget } from '../../../main/common/proc/unionLocator.ts';
import { attribute, Lookups, type ScannedProcess } from '../../../main/node/tracker/attribution.ts';
import type { LocatedEntry } from '../../../main/node/tracker/processScan.ts';
import type { UnionSource } from '../../../main/node/tracker/unionSource.ts';

const union: UnionTarget = {
  mountpoint: '/u',
  major: 0,
  minor: 40,
  branches: [
    { index: 0, path: '/b0', mode: 'rw' },
    { index: 1, path: '/b1', mode: 'ro' },
  ],
};
const handle = (relPath: string, branch: number, flags = 0, ino = '2'): HandleInfo => ({
  fh: Math.random(),
  relPath,
  branch,
  realPath: `/b${branch}${relPath}`,
  flags,
  openedAt: 0,
  ino,
});

function source(handles: HandleInfo[], wheres: Record<string, Partial<WhereResult>> = {}): UnionSource {
  return {
    unions: async () => [],
    handles: async () => handles,
    where: async (mountpoint, relPath) => {
      const w = wheres[relPath];
      if (!w) throw new Error('unknown');
      return { mountpoint, relPath, exists: true, servingBranch: null, servingPath: null, copies: [], whiteouts: [], opaque: [], ...w };
    },
  };
}

const proc = (entries: LocatedEntry[]): ScannedProcess => ({ pid: 7, startTime: 1, command: 'cat', uid: 1000, entries });
const onUnion = (relPath: string, extra: Partial<LocatedEntry> = {}): LocatedEntry => ({
  kind: 'fd',
  fd: 3,
  access: 'r',
  deleted: false,
  location: { union, relPath, direct: false },
  ...extra,
});
const run = (src: UnionSource, entries: LocatedEntry[]) => attribute([proc(entries)], new Lookups(src, 500), (uid) => (uid === 1000 ? 'alice' : String(uid)));

describe('attribute', () => {
  it("names the branch from the worker's handle table", async () => {
    const [e] = await run(source([handle('/a', 1)]), [
      onUnion('/a', { kind: 'mmap', perms: 'r--s', shared: true, address: '1-2', size: 4096, fd: undefined, access: undefined }),
    ]);
    expect(e).toMatchObject({
      pid: 7,
      user: 'alice',
      kind: 'mmap',
      relPath: '/a',
      virtualPath: '/u/a',
      branch: 1,
      realPath: '/b1/a',
      direct: false,
      size: 4096,
    });
  });

  it('falls back to where when no handle is open (a cwd)', async () => {
    const [e] = await run(source([], { '/': { servingBranch: 0, servingPath: '/b0' } }), [onUnion('/', { kind: 'cwd', fd: undefined, access: undefined })]);
    expect(e).toMatchObject({ kind: 'cwd', virtualPath: '/u', branch: 0, realPath: '/b0' });
  });

  it('leaves the branch unknown when nothing answers', async () => {
    const [e] = await run(source([]), [onUnion('/gone')]);
    expect(e).toMatchObject({ branch: null, realPath: null });
  });

  it('lists candidates instead of guessing when handles disagree, narrowed by access mode', async () => {
    const [ambiguous] = await run(source([handle('/a', 0), handle('/a', 1)]), [onUnion('/a')]);
    expect(ambiguous).toMatchObject({ branch: null, realPath: null, branchCandidates: [0, 1] });
    const [narrowed] = await run(source([handle('/a', 0, 2), handle('/a', 1, 0)]), [onUnion('/a', { access: 'rw' })]);
    expect(narrowed).toMatchObject({ branch: 0, realPath: '/b0/a' });
  });

  it('believes the worker over " (deleted)" for a file really named so', async () => {
    const [e] = await run(source([handle('/x (deleted)', 0)]), [onUnion('/x', { deleted: true })]);
    expect(e).toMatchObject({ relPath: '/x (deleted)', virtualPath: '/u/x (deleted)', deleted: false, branch: 0 });
    const [really] = await run(source([handle('/x', 0)]), [onUnion('/x', { deleted: true })]);
    expect(really).toMatchObject({ relPath: '/x', deleted: true, branch: 0 });
  });

  it('finds the handle of a file with no name left by its inode number, and names no branch path for it', async () => {
    // Removed while open (the handle goes by a hidden name), or made with O_TMPFILE (the kernel prints its
    // directory and an empty name, shown as a local filesystem names it).
    const handles = [handle('/.fuse_hidden0000000200000000', 1, 0, '42'), handle('/d/.fuse_hidden0000000300000001', 0, 2, '43')];
    const out = await run(source(handles), [
      onUnion('/x', { deleted: true, ino: '42' }),
      onUnion('/d//', { deleted: true, ino: '43', access: 'rw' }),
      onUnion('/y', { deleted: true, ino: '44' }),
      onUnion('//', { deleted: true, ino: '45' }),
    ]);
    expect(out.map((e) => [e.relPath, e.deleted, e.branch, e.realPath])).toEqual([
      ['/x', true, 1, null],
      ['/d/#43', true, 0, null],
      ['/y', true, null, null],
      ['/#45', true, null, null],
    ]);
  });

  it('flags direct branch access as visible, shadowed or whited out', async () => {
    const direct = (relPath: string): LocatedEntry => ({
      kind: 'fd',
      fd: 4,
      access: 'r',
      deleted: false,
      location: { union, relPath, direct: true, branch: union.branches[1], realPath: `/b1${relPath}` },
    });
    const wheres: Record<string, Partial<WhereResult>> = {
      '/v': { copies: [{ branch: 1, branchRoot: '/b1', realPath: '/b1/v', type: 'file', visible: true }] },
      '/s': { copies: [{ branch: 1, branchRoot: '/b1', realPath: '/b1/s', type: 'file', visible: false, hiddenBy: 'shadowed' }] },
      '/w': { copies: [{ branch: 1, branchRoot: '/b1', realPath: '/b1/w', type: 'file', visible: false, hiddenBy: 'whiteout' }] },
    };
    const out = await run(source([], wheres), [direct('/v'), direct('/s'), direct('/w'), direct('/unknown')]);
    expect(out.map((e) => [e.relPath, e.direct, e.branch, e.directState])).toEqual([
      ['/v', true, 1, 'visible'],
      ['/s', true, 1, 'shadowed'],
      ['/w', true, 1, 'whiteout'],
      ['/unknown', true, 1, undefined],
    ]);
  });

  it('survives a worker that never answers', async () => {
    const hung: UnionSource = { unions: async () => [], handles: () => new Promise(() => undefined), where: () => new Promise(() => undefined) };
    const [e] = await run(hung, [onUnion('/a')]);
    expect(e).toMatchObject({ branch: null });
  });
});
