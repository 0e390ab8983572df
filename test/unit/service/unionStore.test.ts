import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultStorePath, UnionStore } from '../../../main/node/service/unionStore.ts';
import { tempDir, unionConfig } from '../../support/serviceFakes.ts';

describe('UnionStore', () => {
  it('starts empty when nothing was saved', async () => {
    expect(await new UnionStore(join(tempDir(), 'none', 'unions.json')).load()).toEqual([]);
  });

  it('saves atomically, privately, and loads what it saved', async () => {
    const dir = tempDir();
    const store = new UnionStore(join(dir, 'strata', 'unions.json'));
    const unions = [{ config: unionConfig(dir), autoMount: true }];
    await store.save(unions);
    await store.save(unions);
    expect(await store.load()).toEqual(unions);
    expect(readdirSync(join(dir, 'strata'))).toEqual(['unions.json']);
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
  });

  it('names the file and the fix when the JSON is broken', async () => {
    const dir = tempDir();
    const path = join(dir, 'unions.json');
    writeFileSync(path, '{"version": 1, "unions": [');
    await expect(new UnionStore(path).load()).rejects.toThrow(`${path} is not valid JSON`);
  });

  it('names the entry that breaks the schema', async () => {
    const dir = tempDir();
    const path = join(dir, 'unions.json');
    const bad = { config: { ...unionConfig(dir), branches: [{ path: 'relative/dir', mode: 'rw' }] }, autoMount: false };
    writeFileSync(path, JSON.stringify({ version: 1, unions: [{ config: unionConfig(dir), autoMount: false }, bad] }));
    await expect(new UnionStore(path).load()).rejects.toThrow(/^Union 2 in .*unions\.json: Branch 1 'relative\/dir' is not an absolute path/);
  });

  it('refuses a file from another format', async () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'x'));
    writeFileSync(join(dir, 'x', 'unions.json'), JSON.stringify([{ mountpoint: '/mnt' }]));
    await expect(new UnionStore(join(dir, 'x', 'unions.json')).load()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('lives under XDG_CONFIG_HOME when that is absolute', () => {
    expect(defaultStorePath({ XDG_CONFIG_HOME: '/cfg' })).toBe('/cfg/strata/unions.json');
    expect(defaultStorePath({ XDG_CONFIG_HOME: 'relative' })).toMatch(/\/\.config\/strata\/unions\.json$/);
  });
});
