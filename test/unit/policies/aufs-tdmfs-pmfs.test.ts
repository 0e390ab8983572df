import { describe, expect, it } from 'vitest';
import type { PolicyState } from '../../../main/common/policies/types.ts';
import { create, detailOf, GiB, outcome, reasonOf } from './fixture.ts';

const x = { path: '/x/y/f' };
const T0 = 1_700_000_000_000;

describe('aufs tdmfs:LOW[:SEC]', () => {
  const p = ['/x/y'];

  it('takes the highest branch with more than LOW free', () => {
    const r = create('tdmfs:2G', [{ avail: 1 * GiB, dirs: p }, { avail: 5 * GiB }, { avail: 9 * GiB, dirs: p }], x);
    expect(outcome(r)).toEqual([1]);
    expect(detailOf(r, 0)).toBe('b0 has 1 GiB free, not more than the watermark 2 GiB');
    expect(detailOf(r, 2)).toBe('b2 was passed over: tdmfs takes the highest branch with more than 2 GiB free, b1');
  });

  it('needs strictly more than LOW', () => {
    expect(outcome(create('tdmfs:2G', [{ avail: 2 * GiB }, { avail: 2 * GiB + 1 }]))).toEqual([1]);
  });

  it('never looks below the lowest branch holding the parent', () => {
    const r = create('tdmfs:2G', [{ avail: 1 * GiB, dirs: p }, { avail: 3 * GiB, dirs: p }, { avail: 9 * GiB }], x);
    expect(outcome(r)).toEqual([1]);
    expect(detailOf(r, 2)).toBe('b2 is below b1, the lowest branch with parent /x/y');
  });

  it('falls back to the most free space when no branch is above LOW', () => {
    const r = create('tdmfs:20G', [{ avail: 1 * GiB, dirs: p }, { avail: 9 * GiB }, { avail: 5 * GiB, dirs: p }], x);
    expect(outcome(r)).toEqual([1]);
    expect(r.ok && r.note).toBe('no branch down to b2 has more than 20 GiB free, so tdmfs fell back to most free space');
    expect(detailOf(r, 2)).toBe('b2 has less free space than b1 (5 GiB vs 9 GiB)');
  });

  it('skips branches that cannot take the entry, and stays above the barrier', () => {
    expect(outcome(create('tdmfs:1G', [{ mode: 'ro', avail: 9 * GiB }, { avail: 5 * GiB, minFree: 6 * GiB }, { avail: 3 * GiB }]))).toEqual([2]);
    const r = create('tdmfs:1G', [{ avail: 512 * 2 ** 20 }, { avail: 2 * GiB }, { avail: 9 * GiB }], { whiteout: 1 });
    expect(outcome(r)).toEqual([1]);
    expect(reasonOf(r, 2)).toBe('hidden');
  });

  it('reads free space from the held mfs scan', () => {
    const state: PolicyState = {};
    expect(outcome(create('tdmfs:2G:30', [{ avail: 1 * GiB }, { avail: 5 * GiB }], { state, now: T0 }))).toEqual([1]);
    const grown = [{ avail: 9 * GiB }, { avail: 5 * GiB }];
    expect(outcome(create('tdmfs:2G:30', grown, { state, now: T0 + 10_000 }))).toEqual([1]);
    expect(outcome(create('tdmfs:2G:30', grown, { state, now: T0 + 31_000 }))).toEqual([0]);
  });

  it('refuses with the filter errno when nothing can take the entry', () => {
    expect(outcome(create('tdmfs:1G', [{ mode: 'ro' }, { avail: 1, minFree: 2 }]))).toBe('EROFS');
  });
});

describe('aufs pmfs[:SEC]', () => {
  it('§b.1.5 vector 3: equal free space on two parent holders → the upper branch', () => {
    const r = create(
      'pmfs',
      [
        { avail: 10 * GiB, dirs: ['/x/y'] },
        { avail: 10 * GiB, dirs: ['/x/y'] },
      ],
      x,
    );
    expect(outcome(r)).toEqual([0]);
    expect(detailOf(r, 1)).toBe('b1 has as much free space as b0 (10 GiB); ties go to the upper branch');
  });

  it('moves to a lower parent holder with strictly more free space', () => {
    const r = create(
      'pmfs:30',
      [
        { avail: 1 * GiB, dirs: ['/x/y'] },
        { avail: 5 * GiB, dirs: ['/x/y'] },
      ],
      x,
    );
    expect(outcome(r)).toEqual([1]);
    expect(detailOf(r, 0)).toBe('b0 has less free space than b1 (1 GiB vs 5 GiB)');
  });

  it("weighs only tdp's choice and the parent holders below it", () => {
    const r = create('pmfs', [{ avail: 99 * GiB }, { avail: 1 * GiB, dirs: ['/x/y'] }, { avail: 50 * GiB }], x);
    expect(outcome(r)).toEqual([1]);
    expect(detailOf(r, 0)).toBe("b0 was passed over: pmfs weighs only tdp's choice, b1, and the branches below it with parent /x/y");
  });

  it('when tdp had to climb above a read-only parent branch, a lower writable holder can still win', () => {
    const branches = [{ avail: 1 * GiB }, { mode: 'ro' as const, dirs: ['/x/y'] }, { avail: 9 * GiB, dirs: ['/x/y'] }];
    expect(outcome(create('tdp', branches, x))).toEqual([0]);
    expect(outcome(create('pmfs', branches, x))).toEqual([2]);
  });

  it('refuses as tdp does', () => {
    expect(outcome(create('pmfs', [{ mode: 'ro', dirs: ['/x/y'] }, { dirs: ['/x/y'] }], x))).toBe('EROFS');
    expect(outcome(create('pmfs', [{}, {}], x))).toBe('ENOENT');
  });

  it('does not apply the whiteout exception', () => {
    expect(
      outcome(
        create(
          'pmfs',
          [
            { avail: 1 * GiB, dirs: ['/x/y'] },
            { avail: 9 * GiB, dirs: ['/x/y'] },
          ],
          { ...x, whiteout: 0 },
        ),
      ),
    ).toEqual([0]);
    expect(outcome(create('pmfs', [{ avail: 1 * GiB }, { avail: 9 * GiB, dirs: ['/x/y'] }, {}], { ...x, whiteout: 2 }))).toEqual([1]);
  });
});

describe('aufs pmfsrr:LOW[:SEC]', () => {
  const branches = [{ avail: 1 * GiB, dirs: ['/x/y'] }, { avail: 3 * GiB, dirs: ['/x/y'] }, { avail: 9 * GiB }];

  it("keeps pmfs' choice when it has at least LOW free", () => {
    expect(outcome(create('pmfsrr:2G', branches, x))).toEqual([1]);
    expect(outcome(create('pmfsrr:3G', branches, x))).toEqual([1]);
  });

  it('below LOW takes the most free space on any branch', () => {
    const r = create('pmfsrr:4G', branches, x);
    expect(outcome(r)).toEqual([2]);
    expect(r.ok && r.note).toBe("pmfs's choice b1 has 3 GiB free, below the watermark 4 GiB");
  });

  it('and round-robin when even that is below LOW', () => {
    const state: PolicyState = {};
    const r = create('pmfsrr:10G', branches, { ...x, state });
    expect(outcome(r)).toEqual([2]);
    expect(r.ok && r.note).toBe(
      "pmfs's choice b1 has 3 GiB free, below the watermark 10 GiB; the most free space, 9 GiB on b2, is below the watermark 10 GiB, so round-robin chose",
    );
    expect(outcome(create('pmfsrr:10G', branches, { ...x, state }))).toEqual([1]);
  });

  it('refuses as pmfs does', () => {
    expect(outcome(create('pmfsrr:1G', [{}, {}], x))).toBe('ENOENT');
  });
});
