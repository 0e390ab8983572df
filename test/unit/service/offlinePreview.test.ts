// Preview of a union that is not mounted, on real directories: the draft may name a branch that does
// not exist yet, and each preview closes the root descriptors it opened.
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { UnionConfig } from '../../../main/common/contract.ts';
import { offlinePreviewer } from '../../../main/node/service/offlinePreview.ts';
import { loadSyscalls } from '../../../main/node/sys/load.ts';

let base: string;
beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), 'strata-preview-'));
  await mkdir(join(base, 'up/docs'), { recursive: true });
});
afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

it('places by the policy over the real branches, treats a missing one as empty, and leaks no descriptor', async () => {
  const config: UnionConfig = {
    mountpoint: join(base, 'mnt'),
    name: 'draft',
    create: 'ff',
    createOverrides: {},
    copyup: 'tdp',
    minFreeSpace: 0,
    moveOnEnospc: false,
    passthrough: 'auto',
    branches: [
      { path: join(base, 'not-yet'), mode: 'rw' },
      { path: join(base, 'up'), mode: 'rw' },
    ],
  };
  const preview = offlinePreviewer(loadSyscalls);
  const fds = async () => (await readdir('/proc/self/fd')).length;
  await preview(config, '/docs/a.txt', 'create');
  const before = await fds();
  const result = await preview(config, '/docs/a.txt', 'create');
  expect(result).toMatchObject({ ok: true, branchPath: join(base, 'up/docs/a.txt') });
  expect(await fds()).toBe(before);
});
