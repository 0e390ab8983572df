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

  it('merges concurrent updates from two stores on one file: no save is lost', async () => {
    const dir = tempDir();
    const path = join(dir, 'strata', 'unions.json');
    const [a, b] = [new UnionStore(path), new UnionStore(path)];
    const def = (i: number) => ({ config: unionConfig(dir, { mountpoint: join(dir, `m${i}`), name: `m${i}` }), autoMount: false });
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).update((list) => [...list, def(i)])));
    expect((await a.load()).map((d) => d.config.name).sort()).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`).sort());
    expect(readdirSync(join(dir, 'strata'))).toEqual(['unions.json']);
  });

  it('takes over a lock left by a process that is gone', async () => {
    const dir = tempDir();
    const store = new UnionStore(join(dir, 'unions.json'));
    writeFileSync(store.lockPath, '999999999\n');
    await store.update(() => [{ config: unionConfig(dir), autoMount: false }]);
    expect(await store.load()).toHaveLength(1);
  });

  it('tells a watcher when another store replaced the file', async () => {
    const dir = tempDir();
    const path = join(dir, 'strata', 'unions.json');
    const seen: number[] = [];
    const stop = new UnionStore(path).watch(() => seen.push(1));
    try {
      await new UnionStore(path).save([{ config: unionConfig(dir), autoMount: false }]);
      await new Promise((r) => setTimeout(r, 200));
      expect(seen.length).toBeGreaterThan(0);
    } finally {
      stop();
    }
  });
});
