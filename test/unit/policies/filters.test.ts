import { describe, expect, it } from 'vitest';
import { barrierOf, decide, NOTHING, parentOf, refusalErrno, screen, existsNeed } from '../../../main/common/policies/filters.ts';
import type { Exclusion, ExclusionReason } from '../../../main/common/policies/types.ts';
import { fakeInput, GiB } from './fixture.ts';

describe('parentOf', () => {
  it.each([
    ['/a/b/c', '/a/b'],
    ['/a', '/'],
    ['/', '/'],
  ])('%s → %s', (p, parent) => expect(parentOf(p)).toBe(parent));
});

describe('barrierOf', () => {
  it('is the higher of the whiteout and opaque branches, or undefined', () => {
    expect(barrierOf(fakeInput([{}, {}]))).toBeUndefined();
    expect(barrierOf(fakeInput([{}, {}, {}], { whiteout: 2 }))).toBe(2);
    expect(barrierOf(fakeInput([{}, {}, {}], { opaque: 1 }))).toBe(1);
    expect(barrierOf(fakeInput([{}, {}, {}], { whiteout: 2, opaque: 1 }))).toBe(1);
    expect(barrierOf(fakeInput([{}, {}, {}], { whiteout: 0, opaque: 1 }))).toBe(0);
  });
});

describe('screen: the create filter', () => {
  const reasons = (sc: { excluded: Exclusion[] }) => Object.fromEntries(sc.excluded.map((e) => [e.branch, e.reason]));

  it('gives each refused branch one reason and one sentence', () => {
    const input = fakeInput([{ mode: 'ro' }, { mode: 'nc' }, { mountedReadOnly: true }, { statfsFails: true }, { avail: 1.2 * GiB, minFree: 4 * GiB }, {}]);
    const sc = screen(input);
    expect(sc.candidates).toEqual([5]);
    expect(sc.excluded.map((e) => e.detail)).toEqual([
      'b0 is read-only (ro)',
      'b1 takes no new entries (nc)',
      "b2's filesystem is mounted read-only",
      "b3's free space could not be read (statfs failed)",
      'b4 has 1.2 GiB free, below its minimum of 4 GiB',
    ]);
    expect(reasons(sc)).toEqual({ 0: 'mode', 1: 'mode', 2: 'mounted-ro', 3: 'statfs-failed', 4: 'no-space' });
  });

  it('tests a needed path after the mode and before statfs, as mergerfs does', () => {
    const input = fakeInput([{ mode: 'ro' }, { statfsFails: true }, { statfsFails: true, dirs: ['/x/y'] }, { dirs: ['/x/y'] }], { path: '/x/y/f' });
    const sc = screen(input, existsNeed(input, '/x/y', 'parent /x/y'));
    expect(reasons(sc)).toEqual({ 0: 'mode', 1: 'no-parent', 2: 'statfs-failed' });
    expect(sc.excluded[1].detail).toBe('parent /x/y does not exist on b1');
    expect(sc.candidates).toEqual([3]);
  });

  it('takes minimum free space as an inclusive floor', () => {
    expect(screen(fakeInput([{ avail: 4 * GiB, minFree: 4 * GiB }])).candidates).toEqual([0]);
    expect(screen(fakeInput([{ avail: 4 * GiB - 1, minFree: 4 * GiB }])).candidates).toEqual([]);
  });

  it('refuses every branch below the visibility barrier first, naming what hides it', () => {
    const input = fakeInput([{}, { mode: 'ro' }, { mode: 'ro' }, {}], { path: '/x/f', whiteout: 1 });
    const sc = screen(input);
    expect(sc.candidates).toEqual([0]);
    expect(reasons(sc)).toEqual({ 1: 'mode', 2: 'hidden', 3: 'hidden' });
    expect(sc.excluded[2].detail).toBe('a new entry on b3 would be hidden by the whiteout of /x/f on b1');
    const opaque = screen(fakeInput([{}, {}, {}], { path: '/x/f', opaque: 1 }));
    expect(opaque.candidates).toEqual([0, 1]);
    expect(opaque.excluded[0].detail).toBe('a new entry on b2 would be hidden by an opaque ancestor of /x/f on b1');
  });
});

describe('refusalErrno: mergerfs precedence', () => {
  const ex = (...reasons: ExclusionReason[]): Exclusion[] => reasons.map((reason, branch) => ({ branch, reason, detail: '' }));
  it.each([
    [[], 'ENOENT'],
    [['no-parent'], 'ENOENT'],
    [['statfs-failed', 'no-parent'], 'ENOENT'],
    [['no-space', 'no-parent'], 'ENOSPC'],
    [['no-parent', 'no-space'], 'ENOSPC'],
    [['no-space', 'mode'], 'EROFS'],
    [['mode', 'no-space'], 'EROFS'],
    [['mounted-ro', 'no-space', 'no-parent'], 'EROFS'],
    [['hidden', 'hidden'], 'ENOENT'],
    [['no-space', 'hidden', 'not-chosen'], 'ENOSPC'],
  ] as [ExclusionReason[], string][])('%j → %s', (reasons, errno) => expect(refusalErrno(ex(...reasons))).toBe(errno));
});

describe('decide', () => {
  it('explains every candidate not picked, sorted by branch, and keeps the note', () => {
    const sc = { candidates: [0, 2], excluded: [{ branch: 1, reason: 'mode' as const, detail: 'b1 is read-only (ro)' }] };
    const r = decide(sc, { picks: [2], whyNot: (b) => `b${b} lost`, note: 'why' });
    expect(r).toEqual({
      ok: true,
      branches: [2],
      note: 'why',
      excluded: [
        { branch: 0, reason: 'not-chosen', detail: 'b0 lost' },
        { branch: 1, reason: 'mode', detail: 'b1 is read-only (ro)' },
      ],
    });
  });

  it('refuses with the filter errno when nothing is picked', () => {
    const sc = { candidates: [], excluded: [{ branch: 0, reason: 'no-space' as const, detail: '' }] };
    expect(decide(sc, NOTHING)).toEqual({ ok: false, errno: 'ENOSPC', excluded: sc.excluded });
  });
});
