/**
 * Whole-tree rows: listing a big directory, reading the small-file tree with `find` + `cat` (warm and
 * cold, from either branch) and removing it with `rm -rf`. Their fixtures are laid down directly in a
 * branch under a fresh name (for `rm -rf`, one per pass) and stay until the run's teardown: removing them
 * through the union is not possible where the union cannot write the lower branch (mergerfs), nor clean
 * underneath overlayfs.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TREE, dropCaches, extractTree, splitDir, timed } from './fixtures.ts';
import type { Workload } from './passes.ts';

const LISTED = 10_000;
const LISTINGS = 20;

const readdirRow: Workload = {
  name: `readdir of ${LISTED / 1000}k entries, half on each branch, ${LISTINGS} listings`,
  unit: 'listings/s',
  units: () => LISTINGS,
  prepare(t) {
    const d = splitDir(t, 'listing', LISTED);
    return {
      pass: () =>
        timed(() => {
          for (let i = 0; i < LISTINGS; i++) readdirSync(d);
        }),
    };
  },
};

const branches = ['lower', 'upper'] as const;

/**
 * The cold rows drop the caches before each pass; the warm rows read the tree once before the first.
 * A cold pass reads the disk, whose speed under a VM moves from pass to pass by more than the targets
 * differ (three passes put Strata at 0.88-1.19x of mergerfs 2.42 over four runs of the upper branch's
 * row): five at the least.
 */
const COLD_PASSES = 5;

const readRows = branches.flatMap((branch) =>
  (['warm', 'cold'] as const).map((cache): Workload => ({
    name: `find + cat ${TREE}, on the ${branch} branch, ${cache}`,
    unit: 'files/s',
    units: (fx) => fx.tarFiles,
    minPasses: cache === 'cold' ? COLD_PASSES : undefined,
    prepare(target, fx) {
      const name = `read-${branch}-${cache}`;
      extractTree(fx, join(target[branch], name));
      // cat's output comes back here and is counted, so every byte was read (not skipped for /dev/null).
      const readTree = () => {
        const out = execFileSync('find', [join(target.dir, name), '-type', 'f', '-exec', 'cat', '{}', '+'], { maxBuffer: 2 * fx.tarBytes });
        if (out.length !== fx.tarBytes) throw new Error(`read ${out.length} of ${fx.tarBytes} bytes`);
      };
      if (cache === 'warm') readTree();
      return {
        pass() {
          if (cache === 'cold') dropCaches();
          return timed(readTree);
        },
      };
    },
  })),
);

const removeRows = branches.map((branch): Workload => ({
  name: `rm -rf ${TREE}, on the ${branch} branch`,
  unit: 'files/s',
  units: (fx) => fx.tarFiles,
  prepare: (target, fx) => ({
    pass(i) {
      const name = `rm-${branch}-${i}`;
      extractTree(fx, join(target[branch], name));
      const d = join(target.dir, name);
      const secs = timed(() => execFileSync('rm', ['-rf', d], { stdio: 'pipe' }));
      if (existsSync(d)) throw new Error('the tree is still there');
      return secs;
    },
  }),
}));

export const treeWorkloads: Workload[] = [readdirRow, ...readRows, ...removeRows];
