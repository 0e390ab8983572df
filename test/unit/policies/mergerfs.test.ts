import { describe, expect, it } from 'vitest';
import { create, detailOf, GiB, outcome, reasonOf, seeded, tally } from './fixture.ts';

const x = { path: '/x/y/f' };

describe('mergerfs test vectors (§b.2.7)', () => {
  it('1: pfrd over A(100G) B(50G) picks A about 2/3 of the time', () => {
    const [a, b] = tally('pfrd', [{ avail: 100 * GiB }, { avail: 50 * GiB }], { random: seeded(20240607) }, 30_000);
    expect(a + b).toBe(30_000);
    expect(a / 30_000).toBeGreaterThan(0.655);
    expect(a / 30_000).toBeLessThan(0.678);
  });

  it('pfrd weights three branches by free space, and never picks a branch left out by the filter', () => {
    const counts = tally('pfrd', [{ avail: 10 * GiB }, { avail: 30 * GiB }, { mode: 'ro' }, { avail: 60 * GiB }], { random: seeded(5) }, 20_000);
    expect(counts[2]).toBe(0);
    expect(counts[0] / 20_000).toBeCloseTo(0.1, 1);
    expect(counts[1] / 20_000).toBeCloseTo(0.3, 1);
    expect(counts[3] / 20_000).toBeCloseTo(0.6, 1);
  });

  it('2: equal space: mfs → B, lus → A, lfs → B', () => {
    const equal = [
      { avail: 5 * GiB, used: 5 * GiB },
      { avail: 5 * GiB, used: 5 * GiB },
    ];
    expect(outcome(create('mfs', equal))).toEqual([1]);
    expect(outcome(create('lus', equal))).toEqual([0]);
    expect(outcome(create('lfs', equal))).toEqual([1]);
  });

  it('3: A=NC, B=RO → EROFS; A below minfreespace, B=RO → EROFS; both below → ENOSPC', () => {
    expect(outcome(create('ff', [{ mode: 'nc' }, { mode: 'ro' }]))).toBe('EROFS');
    expect(outcome(create('ff', [{ avail: 1 * GiB, minFree: 4 * GiB }, { mode: 'ro' }]))).toBe('EROFS');
    expect(
      outcome(
        create('ff', [
          { avail: 1 * GiB, minFree: 4 * GiB },
          { avail: 2 * GiB, minFree: 4 * GiB },
        ]),
      ),
    ).toBe('ENOSPC');
  });

  it('4: epmfs follows the parent even to the branch with less space; no parent anywhere → ENOENT', () => {
    const r = create('epmfs', [{ avail: 90 * GiB }, { avail: 10 * GiB, dirs: ['/x/y'] }], x);
    expect(outcome(r)).toEqual([1]);
    expect(reasonOf(r, 0)).toBe('no-parent');
    expect(detailOf(r, 0)).toBe('parent /x/y does not exist on b0');
    expect(outcome(create('epmfs', [{}, {}], x))).toBe('ENOENT');
  });

  it('5: mspmfs with /x/y nowhere but /x on A and B takes the mfs of A and B', () => {
    const r = create('mspmfs', [{ avail: 3 * GiB, dirs: ['/x'] }, { avail: 5 * GiB, dirs: ['/x'] }, { avail: 50 * GiB }], x);
    expect(outcome(r)).toEqual([1]);
    expect(r.ok && r.note).toBe('no eligible branch has /x/y; chose among those with its ancestor /x');
    expect(detailOf(r, 0)).toBe('b0 has less free space than b1 (3 GiB vs 5 GiB)');
    expect(detailOf(r, 2)).toBe('ancestor /x does not exist on b2');
  });

  it('8: a branch whose filesystem went read-only is skipped', () => {
    const r = create('ff', [{ mountedReadOnly: true }, {}]);
    expect(outcome(r)).toEqual([1]);
    expect(reasonOf(r, 0)).toBe('mounted-ro');
  });
});

describe('ff and epff', () => {
  it('ff takes the first eligible branch', () => {
    const r = create('ff', [{ mode: 'ro' }, { avail: 1 }, { avail: 100 * GiB }]);
    expect(outcome(r)).toEqual([1]);
    expect(detailOf(r, 2)).toBe('b2 was passed over: b1 is the first eligible branch');
  });

  it('epff takes the first eligible branch holding the parent; any file type counts as existing', () => {
    expect(outcome(create('epff', [{}, { dirs: ['/x/y'] }, { dirs: ['/x/y'] }], x))).toEqual([1]);
    expect(outcome(create('epff', [{}, { files: ['/x/y'] }], x))).toEqual([1]);
  });
});

describe('all and epall', () => {
  const three = [{ mode: 'ro' as const }, { dirs: ['/x/y'] }, {}, { dirs: ['/x/y'] }];

  it.each(['mkdir', 'mknod', 'symlink'] as const)('%s under all goes to every eligible branch', (fn) => {
    expect(outcome(create('all', three, { ...x, fn }))).toEqual([1, 2, 3]);
  });

  it('create under all goes to the first eligible branch and says why the others are not used', () => {
    const r = create('all', three, x);
    expect(outcome(r)).toEqual([1]);
    expect(detailOf(r, 2)).toBe('b2 was passed over: a file goes to the first eligible branch, b1; only mkdir, mknod and symlink use every branch');
  });

  it('epall keeps only the branches holding the parent', () => {
    expect(outcome(create('epall', three, { ...x, fn: 'mkdir' }))).toEqual([1, 3]);
    expect(outcome(create('epall', three, x))).toEqual([1]);
  });
});

describe('space-ranked policies', () => {
  const space = [
    { avail: 3 * GiB, used: 7 * GiB }, // 70% used
    { avail: 5 * GiB, used: 15 * GiB }, // 75% used
    { avail: 1 * GiB, used: 1 * GiB }, // 50% used
  ];

  it('mfs takes the most free space; a tie goes to the lower branch', () => {
    const r = create('mfs', space);
    expect(outcome(r)).toEqual([1]);
    expect(detailOf(r, 0)).toBe('b0 has less free space than b1 (3 GiB vs 5 GiB)');
    const tie = create('mfs', [{ avail: 5 * GiB }, { avail: 5 * GiB }, { avail: 1 * GiB }]);
    expect(outcome(tie)).toEqual([1]);
    expect(detailOf(tie, 0)).toBe('b0 has as much free space as b1 (5 GiB); ties go to the lower branch');
  });

  it('mfs still picks a branch with 0 bytes free when the minimum is 0', () => {
    expect(outcome(create('mfs', [{ mode: 'ro' }, { avail: 0 }]))).toEqual([1]);
  });

  it('lfs takes the least free space; a tie goes to the lower branch', () => {
    const r = create('lfs', space);
    expect(outcome(r)).toEqual([2]);
    expect(detailOf(r, 1)).toBe('b1 has more free space than b2 (5 GiB vs 1 GiB)');
    expect(outcome(create('lfs', [{ avail: 1 * GiB }, { avail: 1 * GiB }, { avail: 2 * GiB }]))).toEqual([1]);
  });

  it('lfs honours the minimum: the emptiest branch below its floor is skipped', () => {
    expect(outcome(create('lfs', [{ avail: 1 * GiB, minFree: 2 * GiB }, { avail: 3 * GiB }, { avail: 9 * GiB }]))).toEqual([1]);
  });

  it('lus takes the least used space; a tie goes to the upper branch', () => {
    const r = create('lus', space);
    expect(outcome(r)).toEqual([2]);
    expect(detailOf(r, 0)).toBe('b0 has more used space than b2 (7 GiB vs 1 GiB)');
    const tie = create('lus', [{ used: 2 * GiB }, { used: 1 * GiB }, { used: 1 * GiB }]);
    expect(outcome(tie)).toEqual([1]);
    expect(detailOf(tie, 2)).toBe('b2 has as much used space as b1 (1 GiB); ties go to the upper branch');
  });

  it('lup takes the lowest share used; a tie goes to the upper branch; an empty filesystem counts as 0%', () => {
    const r = create('lup', space);
    expect(outcome(r)).toEqual([2]);
    expect(detailOf(r, 1)).toBe('b1 uses a larger share of its space than b2 (75.0% vs 50.0%)');
    const tie = create('lup', [
      { avail: 3, used: 1 },
      { avail: 6, used: 2 },
    ]);
    expect(outcome(tie)).toEqual([0]);
    expect(detailOf(tie, 1)).toBe('b1 uses the same share of its space as b0 (25.0%); ties go to the upper branch');
    expect(
      outcome(
        create('lup', [
          { avail: 9, used: 1 },
          { avail: 0, used: 0 },
        ]),
      ),
    ).toEqual([1]);
  });

  it('lup compares shares exactly, beyond float precision', () => {
    // 1/3 against (2^50)/(3·2^50 + 1): the second is smaller by less than one part in 10^15.
    const big = 2 ** 50;
    expect(
      outcome(
        create('lup', [
          { used: 1, avail: 2 },
          { used: big, avail: 2 * big + 1 },
        ]),
      ),
    ).toEqual([1]);
  });

  it.each(['epmfs', 'eplfs', 'eplus'])('%s ranks only the branches holding the parent', (name) => {
    const branches = [
      { avail: 1 * GiB, used: 0 },
      { avail: 50 * GiB, used: 50 * GiB, dirs: ['/x/y'] },
      { avail: 99 * GiB, used: 99 * GiB },
    ];
    const r = create(name, branches, x);
    expect(outcome(r)).toEqual([1]);
    expect(reasonOf(r, 0)).toBe('no-parent');
    expect(reasonOf(r, 2)).toBe('no-parent');
  });
});

describe('msp*: the nearest ancestor some branch holds', () => {
  const deep = { path: '/a/b/c/f' };

  it.each([
    ['mspmfs', [1]],
    ['msplfs', [0]],
    ['msplus', [0]],
  ])('%s climbs from /a/b/c to /a', (name, want) => {
    const r = create(name, [{ avail: 1 * GiB, used: 1, dirs: ['/a'] }, { avail: 9 * GiB, used: 9, dirs: ['/a/x'] }, { avail: 99 * GiB }], deep);
    expect(outcome(r)).toEqual(want);
    expect(reasonOf(r, 2)).toBe('no-parent');
    expect(detailOf(r, 2)).toBe('ancestor /a does not exist on b2');
  });

  it('prefers the deepest level: a branch with the parent beats ones with only an ancestor', () => {
    const r = create(
      'mspmfs',
      [
        { avail: 99 * GiB, dirs: ['/a'] },
        { avail: 1 * GiB, dirs: ['/a/b/c'] },
      ],
      deep,
    );
    expect(outcome(r)).toEqual([1]);
    expect(r.ok && r.note).toBeUndefined();
  });

  it('ignores an ancestor level whose holders cannot take the entry, and climbs on', () => {
    const r = create('mspmfs', [{ mode: 'ro', dirs: ['/a/b/c'] }, { dirs: ['/a'] }], deep);
    expect(outcome(r)).toEqual([1]);
  });

  it("reaches / when no ancestor is held, and refuses with that level's errno", () => {
    const r = create('msplus', [{ used: 5 }, { used: 2 }], deep);
    expect(outcome(r)).toEqual([1]);
    expect(r.ok && r.note).toBe('no eligible branch has /a/b/c; chose among those with its ancestor /');
    expect(
      outcome(
        create(
          'mspmfs',
          [
            { mode: 'ro', dirs: ['/a/b/c'] },
            { avail: 1, minFree: 2 },
          ],
          deep,
        ),
      ),
    ).toBe('EROFS');
  });

  it('msppfrd draws among the first level with candidates', () => {
    const r = create('msppfrd', [{ dirs: ['/a/b'] }, { dirs: ['/a/b'] }, { dirs: ['/a'] }], { ...deep, random: () => 0.99 });
    expect(outcome(r)).toEqual([1]);
    expect(reasonOf(r, 2)).toBe('no-parent');
  });
});

describe('pfrd, eppfrd, rand, eprand', () => {
  const ab = [{ avail: 100 * GiB }, { avail: 50 * GiB }];

  it('pfrd takes the first branch whose running total reaches floor(random × sum)', () => {
    expect(outcome(create('pfrd', ab, { random: () => 0 }))).toEqual([0]);
    expect(outcome(create('pfrd', ab, { random: () => 0.66 }))).toEqual([0]);
    const r = create('pfrd', ab, { random: () => 0.67 });
    expect(outcome(r)).toEqual([1]);
    expect(detailOf(r, 0)).toBe('b0 was not drawn: the free-space-weighted draw picked b1 (b0 had a 67% chance)');
  });

  it('pfrd with a threshold of 0 takes the first candidate even with no space, as mergerfs does', () => {
    expect(outcome(create('pfrd', [{ avail: 0 }, { avail: 10 }], { random: () => 0 }))).toEqual([0]);
  });

  it('pfrd refuses when the candidates have no free space at all, with the filter errno', () => {
    const r = create('pfrd', [{ avail: 0 }, { avail: 0 }]);
    expect(outcome(r)).toBe('ENOENT');
    expect(detailOf(r, 1)).toBe('b1 has no free space to weight the random draw');
    expect(outcome(create('pfrd', [{ avail: 0 }, { mode: 'ro' }]))).toBe('EROFS');
  });

  it('eppfrd draws only among branches holding the parent', () => {
    const random = seeded(7);
    for (let i = 0; i < 50; i++) {
      expect(outcome(create('eppfrd', [{ avail: 100 * GiB }, { avail: 1, dirs: ['/x/y'] }], { ...x, random }))).toEqual([1]);
    }
  });

  it('rand picks one candidate uniformly', () => {
    const branches = [{}, { mode: 'ro' as const }, {}, {}];
    expect(outcome(create('rand', branches, { random: () => 0 }))).toEqual([0]);
    expect(outcome(create('rand', branches, { random: () => 0.5 }))).toEqual([2]);
    const r = create('rand', branches, { random: () => 0.99 });
    expect(outcome(r)).toEqual([3]);
    expect(detailOf(r, 0)).toBe('b0 was not drawn: the uniform draw among 3 branches picked b3');
    const counts = tally('rand', branches, { random: seeded(99) }, 9000);
    expect(counts[1]).toBe(0);
    for (const b of [0, 2, 3]) expect(Math.abs(counts[b] - 3000)).toBeLessThan(200);
  });

  it('rand returns one branch even for mkdir', () => {
    expect(outcome(create('rand', [{}, {}], { fn: 'mkdir', random: () => 0.7 }))).toEqual([1]);
  });

  it('eprand draws only among branches holding the parent', () => {
    expect(outcome(create('eprand', [{}, { dirs: ['/x/y'] }, {}, { dirs: ['/x/y'] }], { ...x, random: () => 0.6 }))).toEqual([3]);
  });
});

describe('newest', () => {
  const t = 1_700_000_000;

  it('takes the branch whose parent has the newest mtime', () => {
    const r = create('newest', [{ dirs: ['/x/y'], mtimes: { '/x/y': t } }, { dirs: ['/x/y'], mtimes: { '/x/y': t + 60 } }, {}], x);
    expect(outcome(r)).toEqual([1]);
    expect(detailOf(r, 0)).toBe("b0's /x/y is older than b1's (2023-11-14T22:13:20Z vs 2023-11-14T22:14:20Z)");
    expect(reasonOf(r, 2)).toBe('no-parent');
  });

  it('breaks an mtime tie towards the lower branch', () => {
    const r = create(
      'newest',
      [
        { dirs: ['/x/y'], mtimes: { '/x/y': t } },
        { dirs: ['/x/y'], mtimes: { '/x/y': t } },
      ],
      x,
    );
    expect(outcome(r)).toEqual([1]);
    expect(detailOf(r, 0)).toBe("b0's /x/y has the same mtime as b1's (2023-11-14T22:13:20Z); ties go to the lower branch");
  });

  it('falls back to an older copy when the newest cannot take the entry', () => {
    const branches = [
      { dirs: ['/x/y'], mtimes: { '/x/y': t } },
      { dirs: ['/x/y'], mtimes: { '/x/y': t + 9 }, mountedReadOnly: true },
      { dirs: ['/x/y'], mtimes: { '/x/y': t + 5 }, avail: 1, minFree: 2 },
    ];
    expect(outcome(create('newest', branches, x))).toEqual([0]);
    expect(outcome(create('newest', branches.slice(1), x))).toBe('EROFS');
  });
});

describe('erofs', () => {
  it('refuses every create with EROFS and says so for each branch', () => {
    const r = create('erofs', [{}, { dirs: ['/x/y'] }], x);
    expect(outcome(r)).toBe('EROFS');
    expect(detailOf(r, 1)).toBe('b1 was passed over: erofs refuses every new entry');
  });
});
