import { describe, expect, it } from 'vitest';
import { buildUnionConfig, parseBranchSpec, validateBranchLayout, validateConfigPatch } from '../../main/common/unionConfig.ts';

const codeOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return (err as { code: string }).code;
  }
  return 'no error';
};

describe('parseBranchSpec', () => {
  it('defaults the first branch to rw and the others to ro, like aufs', () => {
    expect(parseBranchSpec('/a', 0)).toEqual({ path: '/a', mode: 'rw' });
    expect(parseBranchSpec('/b', 1)).toEqual({ path: '/b', mode: 'ro' });
  });

  it('reads mode and per-branch minfree', () => {
    expect(parseBranchSpec('/b=nc', 1)).toEqual({ path: '/b', mode: 'nc' });
    expect(parseBranchSpec('/b=RW,minfree=10G', 1)).toEqual({ path: '/b', mode: 'rw', minFreeSpace: 10 * 2 ** 30 });
  });

  it('keeps "=" in parent directories and normalizes the path', () => {
    expect(parseBranchSpec('/x=y/b/=ro', 0)).toEqual({ path: '/x=y/b', mode: 'ro' });
    expect(parseBranchSpec('/a//b/./c/', 0).path).toBe('/a/b/c');
  });

  it.each([
    ['a/b', /is relative: give the absolute path/],
    ['/a=rx', /Unknown branch mode 'rx'.*use \/a=rw/],
    ['/a=rw,size=1', /Unknown branch option 'size=1'.*minfree=SIZE/],
    ['/a=rw,minfree=lots', /Invalid minfree for branch \/a 'lots'/],
    ['=rw', /has no directory/],
  ])('rejects %j', (spec, message) => expect(() => parseBranchSpec(spec, 0)).toThrow(message));
});

describe('buildUnionConfig', () => {
  it('fills in Strata defaults and the name', () => {
    expect(buildUnionConfig('/mnt/media/', ['/srv/a', '/srv/b'])).toEqual({
      mountpoint: '/mnt/media',
      name: 'media',
      create: 'tdp',
      copyup: 'tdp',
      createOverrides: {},
      minFreeSpace: 0,
      moveOnEnospc: false,
      passthrough: 'auto',
      branches: [
        { path: '/srv/a', mode: 'rw' },
        { path: '/srv/b', mode: 'ro' },
      ],
    });
  });

  it('takes every option', () => {
    const c = buildUnionConfig('/m', ['/a'], {
      name: 'Media',
      create: 'mfs',
      copyup: 'bup',
      minfree: '1G',
      funcs: ['mkdir=epmfs'],
      moveOnEnospc: 'true',
      passthrough: 'all',
    });
    expect(c).toMatchObject({
      name: 'Media',
      create: 'mfs',
      copyup: 'bup',
      minFreeSpace: 2 ** 30,
      createOverrides: { mkdir: 'epmfs' },
      moveOnEnospc: 'pfrd',
      passthrough: 'all',
    });
  });

  it.each([
    [{ create: 'nosuch' }, 'POLICY_INVALID'],
    [{ copyup: 'mfs' }, 'POLICY_INVALID'],
    [{ funcs: ['rmdir=mfs'] }, 'INVALID_ARGUMENT'],
    [{ funcs: ['mkdir'] }, 'INVALID_ARGUMENT'],
    [{ minfree: 'x' }, 'INVALID_ARGUMENT'],
    [{ name: 'a/b' }, 'INVALID_ARGUMENT'],
    [{ passthrough: 'on' }, 'INVALID_ARGUMENT'],
  ])('rejects %j', (opts, code) => expect(codeOf(() => buildUnionConfig('/m', ['/a'], opts))).toBe(code));

  it('requires an absolute mountpoint and at least one branch', () => {
    expect(codeOf(() => buildUnionConfig('m', ['/a']))).toBe('MOUNTPOINT_INVALID');
    expect(() => buildUnionConfig('/m', [])).toThrow(/add at least one --branch DIR/);
  });
});

describe('validateBranchLayout', () => {
  const b = (...paths: string[]) => paths.map((path) => ({ path, mode: 'rw' as const }));
  it.each([
    ['/m', b('/a', '/a'), /listed twice/],
    ['/m', b('/a', '/a/b'), /\/a\/b is inside branch \/a/],
    ['/m', b('/a/b', '/a'), /\/a\/b is inside branch \/a/],
    ['/a', b('/a'), /is also branch/],
    ['/a/m', b('/a'), /Mountpoint \/a\/m is inside branch \/a/],
    ['/m', b('/m/a'), /Branch \/m\/a is inside mountpoint \/m/],
    ['/', b('/a'), /Cannot mount a union on \//],
  ])('mountpoint %s with %j is refused', (mp, branches, message) => expect(() => validateBranchLayout(mp, branches)).toThrow(message));

  it('accepts siblings with a shared name prefix', () => {
    expect(() => validateBranchLayout('/data-m', b('/data', '/data2'))).not.toThrow();
  });
});

describe('validateConfigPatch', () => {
  it('applies the same rules to typed data', () => {
    expect(codeOf(() => validateConfigPatch('/m', { minFreeSpace: -1 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => validateConfigPatch('/m', { branches: [{ path: '/a', mode: 'xx' as 'rw' }] }))).toBe('BRANCH_INVALID');
    expect(codeOf(() => validateConfigPatch('/m', { copyup: 'zz' as 'tdp' }))).toBe('POLICY_INVALID');
    expect(codeOf(() => validateConfigPatch('/m', { create: 'mfs', branches: [{ path: '/a', mode: 'ro' }] }))).toBe('no error');
  });
});
