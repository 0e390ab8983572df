/**
 * Whole-tree rows: listing a big directory, reading the small-file tree with `find` + `cat` (warm and
 * cold, from either branch) and removing it with `rm -rf`. Their fixtures are laid down directly in a
 * branch under a fresh name and stay until the run's teardown: removing them through the union is not
 * possible where the union cannot write the lower branch (mergerfs), nor clean underneath overlayfs.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { TREE, dropCaches, extractTree, secs } from './fixtures.ts';
import type { Workload } from './workloads.ts';

const LISTED = 10_000;
const LISTINGS = 20;

const readdirRow: Workload = {
  name: `readdir of ${LISTED / 1000}k entries, half on each branch, ${LISTINGS} listings`,
  unit: 'listings/s',
  run({ dir, upper, lower }) {
    const name = 'listing';
    for (const [branch, from] of [
      [upper, 0],
      [lower, LISTED / 2],
    ] as const) {
      mkdirSync(join(branch, name), { recursive: true });
      for (let i = from; i < from + LISTED / 2; i++) closeSync(openSync(join(branch, name, `f${i}`), 'w'));
    }
    const d = join(dir, name);
    const seen = readdirSync(d).length;
    if (seen !== LISTED) throw new Error(`readdir saw ${seen} of ${LISTED} entries`);
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < LISTINGS; i++) readdirSync(d);
    return LISTINGS / secs(t0);
  },
};

const branches = ['lower', 'upper'] as const;

const readRows = branches.flatMap((branch) =>
  (['warm', 'cold'] as const).map((cache): Workload => ({
    name: `find + cat ${TREE}, on the ${branch} branch, ${cache}`,
    unit: 'files/s',
    run(target, fx) {
      const name = `read-${branch}-${cache}`;
      extractTree(fx, join(target[branch], name));
      // cat's output comes back here and is counted, so every byte was read (not skipped for /dev/null).
      const readTree = () => {
        const out = execFileSync('find', [join(target.dir, name), '-type', 'f', '-exec', 'cat', '{}', '+'], { maxBuffer: 2 * fx.tarBytes });
        if (out.length !== fx.tarBytes) throw new Error(`read ${out.length} of ${fx.tarBytes} bytes`);
      };
      if (cache === 'warm') readTree();
      else dropCaches();
      const t0 = process.hrtime.bigint();
      readTree();
      return fx.tarFiles / secs(t0);
    },
  })),
);

const removeRows = branches.map((branch): Workload => ({
  name: `rm -rf ${TREE}, on the ${branch} branch`,
  unit: 'files/s',
  run(target, fx) {
    const name = `rm-${branch}`;
    extractTree(fx, join(target[branch], name));
    const d = join(target.dir, name);
    const t0 = process.hrtime.bigint();
    execFileSync('rm', ['-rf', d], { stdio: 'pipe' });
    const rate = fx.tarFiles / secs(t0);
    if (existsSync(d)) throw new Error('the tree is still there');
    return rate;
  },
}));

export const treeWorkloads: Workload[] = [readdirRow, ...readRows, ...removeRows];
