import { describe, expect, it } from 'vitest';
import { create, detailOf, GiB, outcome, reasonOf } from './fixture.ts';

const x = { path: '/x/y/f' };

describe('aufs tdp (top-down-parent)', () => {
  it('§b.1.5 vector 2: the parent only on rw1 → rw1', () => {
    const r = create('tdp', [{}, { dirs: ['/x/y'] }], x);
    expect(outcome(r)).toEqual([1]);
    expect(detailOf(r, 0)).toBe('b0 was passed over: tdp takes b1, the highest branch with parent /x/y');
  });

  it('takes the highest branch holding the parent, even with less space', () => {
    expect(
      outcome(
        create(
          'tdp',
          [
            { avail: 1 * GiB, dirs: ['/x/y'] },
            { avail: 90 * GiB, dirs: ['/x/y'] },
          ],
          x,
        ),
      ),
    ).toEqual([0]);
  });

  it('accepts its long name', () => {
    expect(outcome(create('top-down-parent', [{}, { dirs: ['/x/y'] }], x))).toEqual([1]);
  });

  it('when that branch cannot take the entry, goes to the nearest eligible branch above it, never below', () => {
    const r = create('tdp', [{}, {}, { mode: 'ro', dirs: ['/x/y'] }, { dirs: ['/x/y'] }], x);
    expect(outcome(r)).toEqual([1]);
    expect(detailOf(r, 0)).toBe('b0 was passed over: b2 cannot take the entry, so tdp takes the nearest eligible branch above it, b1');
    expect(reasonOf(r, 3)).toBe('not-chosen');
  });

  it('refuses with EROFS when nothing above a read-only parent branch can take it', () => {
    const r = create('tdp', [{ mode: 'ro', dirs: ['/x/y'] }, { dirs: ['/x/y'] }], x);
    expect(outcome(r)).toBe('EROFS');
    expect(detailOf(r, 1)).toBe('b1 was passed over: tdp never goes below b0, the highest branch with parent /x/y');
  });

  it('refuses with ENOSPC when the parent branch is below its minimum and nothing above can take it', () => {
    expect(outcome(create('tdp', [{ avail: 1 * GiB, minFree: 4 * GiB, dirs: ['/x/y'] }, { dirs: ['/x/y'] }], x))).toBe('ENOSPC');
  });

  it('tests the parent as a directory: a file of that name does not count', () => {
    expect(outcome(create('tdp', [{ files: ['/x/y'] }, { dirs: ['/x/y'] }], x))).toEqual([1]);
  });

  it('refuses with ENOENT, branch by branch, when no branch has the parent', () => {
    const r = create('tdp', [{}, {}], x);
    expect(outcome(r)).toBe('ENOENT');
    expect(detailOf(r, 1)).toBe('parent /x/y does not exist on b1');
  });

  it('does not apply the whiteout exception, but stays above the barrier', () => {
    // The parent's top copy is on b1, but an opaque ancestor on b0 hides it: the entry must go to b0.
    const r = create('tdp', [{}, { dirs: ['/x/y'] }], { ...x, opaque: 0 });
    expect(outcome(r)).toEqual([0]);
    expect(reasonOf(r, 1)).toBe('hidden');
    // A whiteout on a writable b1 below the parent's top copy changes nothing for tdp.
    expect(outcome(create('tdp', [{ dirs: ['/x/y'] }, { dirs: ['/x/y'] }], { ...x, whiteout: 1 }))).toEqual([0]);
  });
});
