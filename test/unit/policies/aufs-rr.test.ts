import { describe, expect, it } from 'vitest';
import type { PolicyState } from '../../../main/common/policies/types.ts';
import { create, detailOf, type FakeBranch, type FakeOptions, outcome, reasonOf } from './fixture.ts';

function sequence(setting: string, branches: FakeBranch[], runs: number, o: FakeOptions = {}): (number[] | string)[] {
  const state: PolicyState = o.state ?? {};
  return Array.from({ length: runs }, () => outcome(create(setting, branches, { ...o, state })));
}

describe('aufs rr (round-robin)', () => {
  it('§b.1.5 vector 2: two writable branches → 1, 0, 1, 0', () => {
    expect(sequence('rr', [{}, {}], 4)).toEqual([[1], [0], [1], [0]]);
  });

  it('three writable branches → 2, 1, 0, 2, 1, 0 (bottom-most first)', () => {
    expect(sequence('round-robin', [{}, {}, {}], 6)).toEqual([[2], [1], [0], [2], [1], [0]]);
  });

  it("keeps aufs' unsigned arithmetic: with 4 or 7 branches the upward cycle starts elsewhere", () => {
    expect(
      sequence(
        'rr',
        Array.from({ length: 4 }, () => ({})),
        5,
      ).flat(),
    ).toEqual([1, 0, 3, 2, 1]);
    expect(
      sequence(
        'rr',
        Array.from({ length: 7 }, () => ({})),
        8,
      ).flat(),
    ).toEqual([5, 4, 3, 2, 1, 0, 6, 5]);
  });

  it('starts the counter at the lowest writable branch and keeps it in the policy state', () => {
    const state: PolicyState = {};
    create('rr', [{}, {}, { mode: 'ro' }], { state });
    expect(state.rrCounter).toBe(-2);
  });

  it('a branch that cannot take the entry uses up its turn', () => {
    expect(sequence('rr', [{}, { mode: 'ro' }, {}], 4)).toEqual([[2], [0], [2], [0]]);
  });

  it('skips a turn of 0 when the lowest writable branch is b0', () => {
    const state: PolicyState = {};
    expect(outcome(create('rr', [{}, { mode: 'ro' }], { state }))).toEqual([0]);
    expect(state.rrCounter).toBe(-3);
  });

  it('§b.1.5 vector 7: ten mkdirs land on one branch, the one the next file takes', () => {
    const state: PolicyState = {};
    const branches = [{}, {}, {}];
    create('rr', branches, { state });
    const dirs = sequence('rr', branches, 10, { state, fn: 'mkdir' });
    expect(new Set(dirs.flat())).toEqual(new Set([1]));
    expect(outcome(create('rr', branches, { state }))).toEqual([1]);
  });

  it('mknod and symlink advance the turn like files', () => {
    expect(sequence('rr', [{}, {}], 2, { fn: 'symlink' })).toEqual([[1], [0]]);
    expect(sequence('rr', [{}, {}], 2, { fn: 'mknod' })).toEqual([[1], [0]]);
  });

  it('a mkdir whose turn cannot take it looks at the next turns without advancing', () => {
    const state: PolicyState = { rrCounter: -1 };
    const r = create('rr', [{}, { mode: 'ro' }], { state, fn: 'mkdir' });
    expect(outcome(r)).toEqual([0]);
    expect(state.rrCounter).toBe(-1);
  });

  it('explains the turn and refuses with the filter errno when nothing can take it', () => {
    const r = create('rr', [{}, {}]);
    expect(detailOf(r, 0)).toBe("b0 was passed over: it was b1's turn in the round-robin");
    expect(outcome(create('rr', [{ mode: 'ro' }, { mode: 'nc' }]))).toBe('EROFS');
    expect(outcome(create('rr', [{ avail: 1, minFree: 2 }, { statfsFails: true }]))).toBe('ENOSPC');
  });

  it('the whiteout exception: a name whited out on a writable branch goes there, without using a turn', () => {
    const state: PolicyState = {};
    const r = create('rr', [{}, {}, {}], { whiteout: 1, state });
    expect(outcome(r)).toEqual([1]);
    expect(r.ok && r.note).toBe("b1 holds the whiteout of /f, so aufs' exception overrides the policy");
    expect(detailOf(r, 0)).toBe('b0 was passed over: aufs puts the entry on b1, which holds the whiteout of /f, whatever the policy');
    expect(reasonOf(r, 2)).toBe('hidden');
    expect(state.rrCounter).toBeUndefined();
  });

  it('the exception for an opaque directory', () => {
    const r = create('rr', [{}, {}, {}], { path: '/d/f', opaque: 0 });
    expect(outcome(r)).toEqual([0]);
    expect(r.ok && r.note).toBe("b0 holds an opaque ancestor of /d/f, so aufs' exception overrides the policy");
  });

  it('when the whiteout branch cannot take the entry, round-robin runs above it', () => {
    expect(sequence('rr', [{}, {}, { mode: 'ro' }, {}], 3, { whiteout: 2 })).toEqual([[1], [0], [1]]);
  });
});
