import { describe, expect, it } from 'vitest';
import { findUnionLoop, refuseUnionLoop, unionsReached, type MountedUnion } from '../../main/common/unionLoops.ts';

const union = (mountpoint: string, ...branches: string[]): MountedUnion => ({ mountpoint, branches });

type Case = [what: string, branches: string[], others: MountedUnion[], way: string | undefined];

/** The union checked is always /mnt/a; `way` lists each step as "branch>union", or is undefined. */
const cases: Case[] = [
  ['direct self: a branch is the mountpoint', ['/srv/a', '/mnt/a'], [], 'loop /mnt/a>/mnt/a'],
  ['nested self: a branch inside the mountpoint', ['/mnt/a/x'], [], 'loop /mnt/a/x>/mnt/a'],
  ['a branch containing the mountpoint', ['/mnt'], [], 'loop /mnt>/mnt/a'],
  ['2-cycle', ['/mnt/b'], [union('/mnt/b', '/mnt/a')], 'loop /mnt/b>/mnt/b /mnt/a>/mnt/a'],
  ['2-cycle through subdirectories', ['/srv/a', '/mnt/b/x'], [union('/mnt/b', '/srv/b', '/mnt/a/y')], 'loop /mnt/b/x>/mnt/b /mnt/a/y>/mnt/a'],
  ['3-cycle', ['/mnt/b'], [union('/mnt/b', '/mnt/c'), union('/mnt/c', '/mnt/a')], 'loop /mnt/b>/mnt/b /mnt/c>/mnt/c /mnt/a>/mnt/a'],
  ['a cycle through a branch that contains another mountpoint', ['/srv'], [union('/srv/b', '/mnt/a')], 'loop /srv>/srv/b /mnt/a>/mnt/a'],
  [
    'the shortest of two loops',
    ['/mnt/c', '/mnt/b'],
    [union('/mnt/c', '/mnt/d'), union('/mnt/d', '/mnt/a'), union('/mnt/b', '/mnt/a')],
    'loop /mnt/b>/mnt/b /mnt/a>/mnt/a',
  ],
  ['legit nesting: a branch is a union that does not reach back', ['/mnt/b'], [union('/mnt/b', '/srv/b')], undefined],
  ['legit nesting two deep', ['/mnt/b/x'], [union('/mnt/b', '/mnt/c/y'), union('/mnt/c', '/srv/c')], undefined],
  ['a union reached twice is followed once', ['/mnt/b', '/mnt/c'], [union('/mnt/b', '/mnt/c'), union('/mnt/c', '/srv/c')], undefined],
  ['a cycle among others that never reaches this union', ['/mnt/b'], [union('/mnt/b', '/mnt/c'), union('/mnt/c', '/mnt/b')], undefined],
  ['sibling with a common prefix: /mnt/a vs /mnt/ab', ['/mnt/ab'], [], undefined],
  ['sibling union with a common prefix', ['/mnt/ab'], [union('/mnt/ab', '/mnt/a2', '/mnt/a-data')], undefined],
  ['a branch next to a union, not in it', ['/mnt/b2'], [union('/mnt/b', '/mnt/a')], undefined],
  ["this union's old entry is not another union", ['/srv/a'], [union('/mnt/a', '/mnt/b'), union('/mnt/b', '/mnt/a')], undefined],
  ['a union whose branches are unknown, on the way', ['/mnt/b'], [{ mountpoint: '/mnt/b', unknown: 'no answer' }], 'unknown /mnt/b>/mnt/b'],
  [
    'a known loop wins over an unknown union',
    ['/mnt/x', '/mnt/b'],
    [{ mountpoint: '/mnt/x', unknown: 'no answer' }, union('/mnt/b', '/mnt/a')],
    'loop /mnt/b>/mnt/b /mnt/a>/mnt/a',
  ],
  ['an unknown union off the way does not matter', ['/mnt/b'], [union('/mnt/b', '/srv/b'), { mountpoint: '/mnt/x', unknown: 'no answer' }], undefined],
];

describe('findUnionLoop', () => {
  it.each(cases)('%s', (_what, branches, others, way) => {
    const loop = findUnionLoop('/mnt/a', branches, others);
    expect(loop && `${loop.kind} ${loop.steps.map((s) => `${s.branch}>${s.union}`).join(' ')}`).toBe(way);
  });

  it('names how each branch reaches the next union', () => {
    expect(findUnionLoop('/mnt/a', ['/srv'], [union('/srv/b', '/mnt/a/x')])?.steps.map((s) => s.relation)).toEqual(['contains', 'inside']);
  });
});

describe('unionsReached', () => {
  it('is the mountpoints a branch is, lies in or contains, and not a sibling with a common prefix', () => {
    expect(unionsReached(['/mnt/u/x', '/srv'], ['/mnt/u', '/mnt/u2', '/srv/v', '/other'])).toEqual(['/mnt/u', '/srv/v']);
  });
});

describe('refuseUnionLoop', () => {
  const errorOf = (fn: () => void) => {
    try {
      fn();
    } catch (err) {
      return err as { code: string; message: string };
    }
    return undefined;
  };

  it('names both unions of a 2-cycle and the fix', () => {
    const err = errorOf(() => refuseUnionLoop('/mnt/a', [{ path: '/mnt/b', real: '/mnt/b' }], [union('/mnt/b', '/mnt/a')]));
    expect(err?.code).toBe('BRANCH_INVALID');
    expect(err?.message).toBe(
      'Branch /mnt/b is the union /mnt/b, whose branch /mnt/a is this union (/mnt/a): unions cannot contain each other (a request would go round them and hang); remove /mnt/b from the branches.',
    );
  });

  it('walks a 3-cycle', () => {
    const err = errorOf(() => refuseUnionLoop('/mnt/a', [{ path: '/mnt/b/x', real: '/mnt/b/x' }], [union('/mnt/b', '/mnt/c'), union('/mnt/c', '/mnt/a/y')]));
    expect(err?.message).toMatch(
      /^Branch \/mnt\/b\/x lies in the union \/mnt\/b, whose branch \/mnt\/c is the union \/mnt\/c, whose branch \/mnt\/a\/y lies in this union \(\/mnt\/a\): unions cannot contain each other/,
    );
  });

  it('says the union would read itself, and shows a symlinked branch as given', () => {
    const err = errorOf(() => refuseUnionLoop('/mnt/a', [{ path: '/srv/link', real: '/mnt/a/x' }], []));
    expect(err?.message).toBe(
      'Branch /srv/link (→ /mnt/a/x) lies in this union (/mnt/a): the union would read its own mount to serve it and hang; remove /srv/link from the branches.',
    );
  });

  it('says when it cannot tell, with the suggested command shell-quoted', () => {
    const err = errorOf(() =>
      refuseUnionLoop('/mnt/a', [{ path: '/mnt/my b', real: '/mnt/my b' }], [{ mountpoint: '/mnt/my b', unknown: 'its worker did not answer within 1 s' }]),
    );
    expect(err?.code).toBe('UNAVAILABLE');
    expect(err?.message).toBe(
      "Branch /mnt/my b is the union /mnt/my b, whose branches could not be learned (its worker did not answer within 1 s), so it may lead back to this union (/mnt/a) and hang both: check it with strata list (strata unmount --force '/mnt/my b' clears a hung one) and try again, or remove /mnt/my b from the branches.",
    );
  });

  it('accepts legit nesting', () => {
    expect(errorOf(() => refuseUnionLoop('/mnt/b', [{ path: '/mnt/a', real: '/mnt/a' }], [union('/mnt/a', '/srv/a')]))).toBeUndefined();
  });
});
