import { describe, expect, it } from 'vitest';
import type { PolicyState } from '../../../main/common/policies/types.ts';
import { create, detailOf, GiB, outcome, reasonOf } from './fixture.ts';

const T0 = 1_700_000_000_000;

describe('aufs mfs[:SEC] (most-free-space)', () => {
  it('§b.1.5 vector 3: equal free space → the lower branch', () => {
    const r = create('mfs:30', [{ avail: 10 * GiB }, { avail: 10 * GiB }]);
    expect(outcome(r)).toEqual([1]);
    expect(detailOf(r, 0)).toBe('b0 has as much free space as b1 (10 GiB); ties go to the lower branch');
  });

  it.each(['aufs:mfs', 'most-free-space', 'most-free-space:5', 'aufs:mfs:0'])('%s is aufs mfs', (setting) => {
    expect(outcome(create(setting, [{ avail: 9 * GiB }, { avail: 3 * GiB }, { mode: 'ro', avail: 99 * GiB }]))).toEqual([0]);
  });

  it('skips a branch whose statfs failed', () => {
    const r = create('mfs:30', [{ avail: 1 * GiB }, { statfsFails: true }]);
    expect(outcome(r)).toEqual([0]);
    expect(reasonOf(r, 1)).toBe('statfs-failed');
  });

  it('holds its choice for SEC seconds, then rescans', () => {
    const state: PolicyState = {};
    const before = [{ avail: 1 * GiB }, { avail: 5 * GiB }];
    const after = [{ avail: 9 * GiB }, { avail: 5 * GiB }];
    expect(outcome(create('mfs:30', before, { state, now: T0 }))).toEqual([1]);
    expect(state.mfsCache).toEqual({ branch: 1, at: T0, maxAvail: 5 * GiB, availByBranch: [1 * GiB, 5 * GiB] });
    const held = create('mfs:30', after, { state, now: T0 + 12_000 });
    expect(outcome(held)).toEqual([1]);
    expect(detailOf(held, 0)).toBe('b0 was passed over: aufs holds its most-free-space choice, b1, for 30 s (made 12 s ago)');
    expect(outcome(create('mfs:30', after, { state, now: T0 + 30_000 }))).toEqual([1]);
    expect(outcome(create('mfs:30', after, { state, now: T0 + 30_001 }))).toEqual([0]);
    expect(state.mfsCache?.at).toBe(T0 + 30_001);
  });

  it('aufs:mfs holds for the default 30 s; mfs:0 rescans on every call', () => {
    const state: PolicyState = {};
    create('aufs:mfs', [{ avail: 1 * GiB }, { avail: 5 * GiB }], { state, now: T0 });
    expect(outcome(create('aufs:mfs', [{ avail: 9 * GiB }, { avail: 5 * GiB }], { state, now: T0 + 29_000 }))).toEqual([1]);
    const fresh: PolicyState = {};
    create('mfs:0', [{ avail: 1 * GiB }, { avail: 5 * GiB }], { state: fresh, now: T0 });
    expect(outcome(create('mfs:0', [{ avail: 9 * GiB }, { avail: 5 * GiB }], { state: fresh, now: T0 + 1 }))).toEqual([0]);
  });

  it('rescans at once when the held branch can no longer take the entry', () => {
    for (const change of [{ mode: 'ro' as const }, { mountedReadOnly: true }, { avail: 1, minFree: 2 }]) {
      const state: PolicyState = {};
      create('mfs:30', [{ avail: 1 * GiB }, { avail: 5 * GiB }], { state, now: T0 });
      expect(outcome(create('mfs:30', [{ avail: 1 * GiB }, change], { state, now: T0 + 1000 }))).toEqual([0]);
      expect(state.mfsCache?.branch).toBe(0);
    }
  });

  it('rescans when the held branch is hidden for this entry, or the branch list changed', () => {
    const state: PolicyState = {};
    create('mfs:30', [{ avail: 1 * GiB }, { avail: 5 * GiB }], { state, now: T0 });
    expect(outcome(create('mfs:30', [{ mode: 'ro' }, { avail: 5 * GiB }, { avail: 2 * GiB }], { state, now: T0 + 1 }))).toEqual([1]);
    expect(state.mfsCache?.availByBranch).toHaveLength(3);
    const hidden = create('mfs:30', [{ avail: 1 * GiB }, { avail: 5 * GiB }, { avail: 9 * GiB }], { state, now: T0 + 2, path: '/d/f', opaque: 0 });
    expect(outcome(hidden)).toEqual([0]);
  });

  it('refuses with the filter errno when nothing can take the entry, and forgets its choice', () => {
    const state: PolicyState = {};
    create('mfs:30', [{ avail: 1 * GiB }, { avail: 5 * GiB }], { state, now: T0 });
    expect(outcome(create('mfs:30', [{ mode: 'ro' }, { avail: 1, minFree: 2 }], { state, now: T0 + 1 }))).toBe('EROFS');
    expect(state.mfsCache).toBeUndefined();
  });

  it('§b.1.5 vector 5: a whiteout on a read-only top branch → EROFS', () => {
    const r = create('mfs:30', [{ mode: 'ro' }, {}], { path: '/foo', whiteout: 0 });
    expect(outcome(r)).toBe('EROFS');
    expect(reasonOf(r, 1)).toBe('hidden');
  });

  it('the whiteout exception overrides most free space', () => {
    const r = create('mfs:30', [{ avail: 1 * GiB }, { avail: 1 * GiB }, { avail: 90 * GiB }], { whiteout: 1 });
    expect(outcome(r)).toEqual([1]);
    expect(r.ok && r.note).toBe("b1 holds the whiteout of /f, so aufs' exception overrides the policy");
  });
});

describe('aufs mfsrr:LOW[:SEC]', () => {
  const v4 = [{ avail: 1 * GiB }, { avail: 5 * GiB }];

  it('§b.1.5 vector 4: the most free space is above LOW → mfs', () => {
    const state: PolicyState = {};
    expect(outcome(create('mfsrr:2147483648', v4, { state }))).toEqual([1]);
    expect(outcome(create('mfsrr:2147483648', v4, { state }))).toEqual([1]);
  });

  it('§b.1.5 vector 4: the most free space is below LOW → round-robin', () => {
    const state: PolicyState = {};
    const first = create('mfsrr:6442450944', v4, { state });
    expect(outcome(first)).toEqual([1]);
    expect(first.ok && first.note).toBe('the most free space, 5 GiB on b1, is below the watermark 6 GiB, so round-robin chose');
    expect(outcome(create('mfsrr:6G', v4, { state }))).toEqual([0]);
    expect(outcome(create('mfsrr:6G', v4, { state }))).toEqual([1]);
  });

  it('exactly LOW free is enough to stay with mfs', () => {
    expect(outcome(create('mfsrr:5G', [{ avail: 5 * GiB }, { avail: 1 * GiB }], { state: { rrCounter: -1 } }))).toEqual([0]);
  });

  it('judges LOW against the held maximum while the hold lasts', () => {
    const state: PolicyState = {};
    create('mfsrr:4G:30', v4, { state, now: T0 });
    // The branches filled up, but the held scan still says 5 GiB: no round-robin yet.
    const full = [{ avail: 1 * GiB }, { avail: 2 * GiB }];
    expect(outcome(create('mfsrr:4G:30', full, { state, now: T0 + 1000 }))).toEqual([1]);
    expect(state.rrCounter).toBeUndefined();
    create('mfsrr:4G:30', full, { state, now: T0 + 31_000 });
    expect(state.rrCounter).toBeDefined();
  });

  it('applies the whiteout exception before anything else', () => {
    expect(outcome(create('mfsrr:99G', [{}, {}, {}], { whiteout: 0 }))).toEqual([0]);
  });

  it('refuses with the filter errno when nothing can take the entry', () => {
    expect(outcome(create('mfsrr:1G', [{ mode: 'nc' }, { statfsFails: true }]))).toBe('EROFS');
  });
});
