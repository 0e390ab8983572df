import { describe, expect, it } from 'vitest';
import { StrataError } from '../../../main/common/errors.ts';
import { runCopyupPolicy } from '../../../main/common/policies/registry.ts';
import { copyup, detailOf, fakeInput, GiB, outcome, reasonOf } from './fixture.ts';

const names = ['tdp', 'bup', 'bu'] as const;
const entry = (source: number) => ({ path: '/x/f', source });

describe('copy-up policies', () => {
  it.each(names)('§b.1.5 vector 1: [rw0, ro1], file only on ro1 → %s copies up to rw0', (name) => {
    expect(outcome(copyup(name, [{}, { mode: 'ro', files: ['/f'] }], { path: '/f', source: 1 }))).toEqual([0]);
  });

  it('tdp: the highest eligible parent holder above the source; bup: the nearest; bu: the nearest, parent or not', () => {
    const branches = [{ dirs: ['/x'] }, { dirs: ['/x'] }, {}, { mode: 'ro' as const, files: ['/x/f'] }];
    const tdp = copyup('tdp', branches, entry(3));
    expect(outcome(tdp)).toEqual([0]);
    expect(detailOf(tdp, 1)).toBe('b1 was passed over: tdp takes b0, the highest eligible branch above b3 with parent /x');
    const bup = copyup('bup', branches, entry(3));
    expect(outcome(bup)).toEqual([1]);
    expect(detailOf(bup, 0)).toBe('b0 was passed over: bup takes b1, the nearest eligible branch at or above the source b3 with parent /x');
    const bu = copyup('bu', branches, entry(3));
    expect(outcome(bu)).toEqual([2]);
    expect(detailOf(bu, 0)).toBe('b0 was passed over: bu takes the nearest eligible branch at or above the source b3, b2');
  });

  it('tdp without a writable parent holder above the source takes the nearest eligible branch above it', () => {
    const r = copyup('tdp', [{}, {}, { mode: 'ro', files: ['/x/f'] }], entry(2));
    expect(outcome(r)).toEqual([1]);
    expect(detailOf(r, 0)).toBe('b0 was passed over: b2 cannot take the entry, so tdp takes the nearest eligible branch above it, b1');
  });

  it("bup without an eligible parent holder takes the nearest eligible branch above the parent's top branch", () => {
    const r = copyup('bup', [{}, {}, { mode: 'ro', dirs: ['/x'] }, { mode: 'ro', files: ['/x/f'] }], entry(3));
    expect(outcome(r)).toEqual([1]);
    expect(detailOf(r, 0)).toBe('b0 was passed over: no eligible branch from b3 up to b2 has parent /x, so bup takes the nearest one above b2, b1');
  });

  it.each(names)('%s counts the source branch itself when it can take the copy', (name) => {
    expect(outcome(copyup(name, [{ dirs: ['/x'] }, { files: ['/x/f'] }], entry(1)))).toEqual([1]);
  });

  it.each(names)('%s never goes below the source', (name) => {
    const r = copyup(name, [{ mode: 'ro' }, { mode: 'ro', files: ['/x/f'] }, { dirs: ['/x'] }], entry(1));
    expect(outcome(r)).toBe('EROFS');
    expect(reasonOf(r, 2)).toBe('not-chosen');
  });

  it('explains a refusal per policy', () => {
    const branches = [{ mode: 'ro' as const }, { mode: 'ro' as const, files: ['/x/f'] }, { dirs: ['/x'] }];
    expect(detailOf(copyup('tdp', branches, entry(1)), 2)).toBe('b2 was passed over: tdp never goes below b1, the source branch');
    expect(detailOf(copyup('bup', branches, entry(1)), 2)).toBe(
      'b2 was passed over: bup takes only a branch at or above the source b1 with parent /x, or one above b1',
    );
    expect(detailOf(copyup('bu', branches, entry(1)), 2)).toBe('b2 was passed over: bu never goes below the source b1');
  });

  it.each(names)('%s never copies to an nc branch (a copy-up is a new entry)', (name) => {
    const r = copyup(
      name,
      [
        { mode: 'nc', dirs: ['/x'] },
        { mode: 'ro', files: ['/x/f'] },
      ],
      entry(1),
    );
    expect(outcome(r)).toBe('EROFS');
    expect(detailOf(r, 0)).toBe('b0 takes no new entries (nc)');
  });

  it.each(names)('%s honours minimum free space and a read-only mount', (name) => {
    expect(
      outcome(
        copyup(
          name,
          [
            { avail: 1 * GiB, minFree: 4 * GiB, dirs: ['/x'] },
            { mode: 'ro', files: ['/x/f'] },
          ],
          entry(1),
        ),
      ),
    ).toBe('ENOSPC');
    expect(
      outcome(
        copyup(
          name,
          [
            { mountedReadOnly: true, dirs: ['/x'] },
            { mode: 'ro', files: ['/x/f'] },
          ],
          entry(1),
        ),
      ),
    ).toBe('EROFS');
    expect(outcome(copyup(name, [{ avail: 1, minFree: 2 }, { dirs: ['/x'] }, { mode: 'ro', files: ['/x/f'] }], entry(2)))).toEqual([1]);
  });

  it.each(names)('%s refuses with EROFS when the read-only source is the only branch', (name) => {
    expect(outcome(copyup(name, [{ mode: 'ro', files: ['/x/f'] }], entry(0)))).toBe('EROFS');
  });

  it('needs the source branch', () => {
    expect(() => runCopyupPolicy('bu', fakeInput([{}], { path: '/f' }))).toThrow(StrataError);
  });

  it('rejects an unknown name', () => {
    expect(() => runCopyupPolicy('up' as 'bu', fakeInput([{}], { path: '/f', source: 0 }))).toThrow(/unknown copy-up policy 'up'; valid: tdp, bup, bu/);
  });
});
