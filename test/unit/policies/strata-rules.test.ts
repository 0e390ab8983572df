/** The Strata-wide rules (registry.ts), checked against every create policy. */
import { describe, expect, it } from 'vitest';
import { listCreatePolicies } from '../../../main/common/policies/registry.ts';
import { create, type FakeBranch, GiB, outcome, reasonOf } from './fixture.ts';

/** Every create policy but erofs, with example arguments. */
const SETTINGS = listCreatePolicies()
  .filter((p) => p.name !== 'erofs')
  .map((p) => (p.family === 'aufs' ? p.form.replace('[:SEC]', '').replace(':SEC', ':30').replace('LOW', '1G') : p.name));

const TOP_DOWN = new Set(['tdp', 'pmfs', 'pmfsrr:1G']);

describe.each(SETTINGS)('%s', (setting) => {
  /** The one eligible branch is b0; each other is refused for one reason, however attractive otherwise. */
  function refusedBranches(attractive: boolean): FakeBranch[] {
    const bait: FakeBranch = attractive ? { avail: 900 * GiB, used: 0, mtimes: { '/': 2e9 } } : { avail: 1, used: 900 * GiB };
    return [
      { avail: 10 * GiB, used: 10 * GiB },
      { ...bait, mode: 'ro' },
      { ...bait, mode: 'nc' },
      { ...bait, mountedReadOnly: true },
      { ...bait, statfsFails: true },
      { ...bait, minFree: attractive ? 1000 * GiB : 2 },
    ];
  }

  it.each([true, false])('never chooses a ro, nc, read-only-mounted, unreadable or too-full branch (bait: %s)', (attractive) => {
    const state = { rrCounter: -5 };
    for (const fn of ['create', 'mkdir'] as const) {
      const r = create(setting, refusedBranches(attractive), { fn, state, random: () => 0.999 });
      expect(outcome(r)).toEqual([0]);
      expect([1, 2, 3, 4, 5].map((b) => reasonOf(r, b))).toEqual(['mode', 'mode', 'mounted-ro', 'statfs-failed', 'no-space']);
    }
  });

  it("honours each branch's own effective minimum", () => {
    const r = create(setting, [
      { avail: 5 * GiB, minFree: 8 * GiB },
      { avail: 5 * GiB, minFree: 4 * GiB },
    ]);
    // tdp and the policies built on it never go below the parent's top branch, so a full top refuses.
    expect(outcome(r)).toEqual(TOP_DOWN.has(setting) ? 'ENOSPC' : [1]);
    expect(reasonOf(r, 0)).toBe('no-space');
  });

  it.each([
    [[{ mode: 'ro' }, { avail: 1, minFree: 2 }, { statfsFails: true }], 'EROFS'],
    [[{ statfsFails: true }, { avail: 1, minFree: 2 }, { mountedReadOnly: true }], 'EROFS'],
    [[{ avail: 1, minFree: 2 }, { statfsFails: true }], 'ENOSPC'],
    [[{ statfsFails: true }, { avail: 1, minFree: 2 }], 'ENOSPC'],
    [[{ statfsFails: true }], 'ENOENT'],
  ] as [FakeBranch[], string][])('refuses %j with %s', (branches, errno) => {
    expect(outcome(create(setting, branches))).toBe(errno);
  });

  it('never chooses a branch below a whiteout of the name', () => {
    const r = create(setting, [{ avail: 1 * GiB }, { avail: 900 * GiB }, { avail: 900 * GiB }], { whiteout: 0, random: () => 0.999 });
    expect(outcome(r)).toEqual([0]);
    expect(reasonOf(r, 1)).toBe('hidden');
  });

  it('never chooses a branch below an opaque ancestor; a read-only barrier branch gives way upward', () => {
    const branches: FakeBranch[] = [{ avail: 1 * GiB, used: 9 * GiB }, { mode: 'ro' }, { avail: 900 * GiB, used: 0 }];
    const r = create(setting, branches, { opaque: 1, random: () => 0.999 });
    expect(outcome(r)).toEqual([0]);
    expect(reasonOf(r, 2)).toBe('hidden');
  });

  it('refuses with EROFS when everything visible is read-only, even if hidden branches could take it', () => {
    expect(outcome(create(setting, [{ mode: 'ro' }, {}, {}], { whiteout: 0 }))).toBe('EROFS');
  });
});

describe('erofs', () => {
  it('refuses even a union of perfectly good branches', () => {
    expect(outcome(create('erofs', [{}, {}]))).toBe('EROFS');
  });
});
