// Kernel overlayfs as the reference: random operations (names created, written, truncated, removed,
// renamed, exchanged, linked; descriptors held across those changes) run on a Strata union and on an
// overlay mount over the same three layers, and every result and the final trees must agree, save where
// README's union semantics say they differ (test/support/overlayDiff.py). Each seed starts afresh.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { forceUnmount, isMounted, mountUnion, ok, run } from '../support/unionFixture.ts';

const SCRIPT = join(import.meta.dirname, '../support/overlayDiff.py');
const SEEDS = Array.from({ length: 16 }, (_, i) => i + 1);
const STEPS = 1200;

describe('the same operations as on kernel overlayfs', () => {
  it.each(SEEDS)('seed %i gives the same results and the same tree', async (seed) => {
    const u = await mountUnion({
      modes: ['rw', 'ro', 'ro'],
      populate: async ([up, mid, low]) => {
        await ok('python3', [SCRIPT, 'populate', 'aufs', up, mid, low]);
      },
    });
    const layers = ['up', 'mid', 'low', 'work', 'mnt'].map((n) => join(u.root, `overlay-${n}`));
    const [up, mid, low, work, mnt] = layers;
    try {
      for (const dir of layers) await mkdir(dir);
      await ok('python3', [SCRIPT, 'populate', 'overlay', up, mid, low]);
      await ok('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${mid}:${low},upperdir=${up},workdir=${work}`, mnt]);
      const r = await run('python3', [SCRIPT, 'run', u.mnt, mnt, String(seed), String(STEPS)]);
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('ok\n');
    } finally {
      if (await isMounted(mnt)) await forceUnmount(mnt);
      for (const layer of [u.branches[1], mid]) await run('python3', [SCRIPT, 'release', layer]);
      await u.cleanup();
    }
  });
});
