import { describe, expect, it } from 'vitest';
import { parseUnionConfig, validateArgs } from '../../../main/common/apiArgs.ts';
import { unionConfig } from '../../support/serviceFakes.ts';

describe('validateArgs', () => {
  it('normalizes paths before they reach the service', () => {
    expect(validateArgs('unions:mount', { mountpoint: '/mnt//media/../pool/' })).toEqual({ mountpoint: '/mnt/pool' });
    expect(validateArgs('unions:where', { mountpoint: '/mnt', relPath: '/a/./b' })).toEqual({ mountpoint: '/mnt', relPath: '/a/b' });
    expect(validateArgs('unions:unmount', { mountpoint: '/mnt' })).toEqual({ mountpoint: '/mnt', force: false });
  });

  it('rejects what would be unsafe or meaningless, with a sentence', () => {
    expect(() => validateArgs('unions:mount', { mountpoint: 'mnt' })).toThrow("Mountpoint 'mnt' is not an absolute path: start it with /.");
    expect(() => validateArgs('unions:mount', { mountpoint: '/mnt\0x' })).toThrow(/Invalid Mountpoint/);
    expect(() => validateArgs('unions:mount', null)).toThrow('Invalid request: expected an object.');
    expect(() => validateArgs('unions:unmount', { mountpoint: '/m', force: 'yes' })).toThrow('Invalid force: expected true or false.');
    expect(() => validateArgs('fs:complete', { prefix: 'tmp' })).toThrow(/not an absolute path/);
    expect(() => validateArgs('fs:space', { paths: ['/a', 'b'] })).toThrow(/Path 2 'b'/);
  });

  it('checks a union the way the CLI does: layout, modes, policies', () => {
    const ok = unionConfig('/srv');
    expect(parseUnionConfig(ok)).toEqual(ok);
    expect(() => parseUnionConfig({ ...ok, create: 'nonsense' })).toThrow(/unknown create policy 'nonsense'/);
    expect(() => parseUnionConfig({ ...ok, copyup: 'xx' })).toThrow(/Invalid copy-up policy: expected one of tdp, bup, bu/);
    expect(() =>
      parseUnionConfig({
        ...ok,
        branches: [
          { path: '/srv/b0', mode: 'rw' },
          { path: '/srv/b0/in', mode: 'ro' },
        ],
      }),
    ).toThrow(/is inside branch/);
    expect(() => parseUnionConfig({ ...ok, branches: [{ path: '/srv/b0', mode: 'wx' }] })).toThrow(/mode of branch 1: expected one of rw, ro, nc/);
    expect(() => parseUnionConfig({ ...ok, mountpoint: '/srv/b0/m' })).toThrow(/inside branch/);
    expect(() => parseUnionConfig({ ...ok, minFreeSpace: -1 })).toThrow(/whole number of bytes/);
    expect(parseUnionConfig({ ...ok, createOverrides: { mkdir: 'epmfs' }, moveOnEnospc: 'mfs' })).toMatchObject({
      createOverrides: { mkdir: 'epmfs' },
      moveOnEnospc: 'mfs',
      passthrough: 'auto',
    });
    expect(parseUnionConfig({ ...ok, passthrough: 'off' }).passthrough).toBe('off');
    expect(() => parseUnionConfig({ ...ok, passthrough: 'fast' })).toThrow(/Unknown passthrough mode 'fast': use auto, all, off/);
    expect(() => parseUnionConfig({ ...ok, passthrough: 1 })).toThrow(/passthrough mode/);
  });

  it('keeps a live change from moving the mountpoint', () => {
    expect(() => validateArgs('unions:setLive', { mountpoint: '/m', patch: { mountpoint: '/n' } })).toThrow(/cannot move to another mountpoint/);
    expect(validateArgs('unions:setLive', { mountpoint: '/m', patch: { create: 'mfs' } })).toEqual({ mountpoint: '/m', patch: { create: 'mfs' } });
  });

  it('defaults the preview to the create function', () => {
    expect(validateArgs('unions:preview', { config: unionConfig('/srv'), relPath: '/x' }).fn).toBe('create');
  });
});
