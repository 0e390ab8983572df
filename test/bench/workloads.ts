/**
 * Benchmark workloads, each returning a rate (higher is better). They run synchronously in the
 * benchmark process, which never serves a mount, so blocking calls are fine here and keep the
 * measured path free of event-loop noise.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, rmSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { copyUpWorkloads } from './copyup.ts';
import { type Fixtures, MiB, TREE, secs, writeFile } from './fixtures.ts';
import type { Target } from './targets.ts';
import { treeWorkloads } from './trees.ts';

export interface Workload {
  name: string;
  unit: string;
  run(target: Target, fixtures: Fixtures): number;
}

const SEQ_BYTES = 256 * MiB;
const RAND_FILE = 64 * MiB;
const RAND_READS = 20_000;
const META_FILES = 10_000;

const dataWorkloads: Workload[] = [
  {
    name: `seq write ${SEQ_BYTES / MiB} MiB in 1 MiB blocks`,
    unit: 'MiB/s',
    run({ dir }) {
      const t0 = process.hrtime.bigint();
      writeFile(join(dir, 'seq'), SEQ_BYTES);
      const rate = SEQ_BYTES / MiB / secs(t0);
      unlinkSync(join(dir, 'seq'));
      return rate;
    },
  },
  {
    name: `seq read ${SEQ_BYTES / MiB} MiB in 1 MiB blocks (warm)`,
    unit: 'MiB/s',
    run({ dir }) {
      const path = join(dir, 'seqr');
      writeFile(path, SEQ_BYTES);
      const buf = Buffer.alloc(MiB);
      const readAll = () => {
        const fd = openSync(path, 'r');
        while (readSync(fd, buf, 0, MiB, null) > 0);
        closeSync(fd);
      };
      readAll();
      const t0 = process.hrtime.bigint();
      readAll();
      const rate = SEQ_BYTES / MiB / secs(t0);
      unlinkSync(path);
      return rate;
    },
  },
  {
    name: `random 4 KiB read, ${RAND_READS / 1000}k in a ${RAND_FILE / MiB} MiB file`,
    unit: 'IOPS',
    run({ dir }) {
      const path = join(dir, 'rand');
      writeFile(path, RAND_FILE);
      const buf = Buffer.alloc(4096);
      const fd = openSync(path, 'r');
      let seed = 12345;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < RAND_READS; i++) {
        seed = (seed * 1103515245 + 12345) & 0x7fffffff;
        readSync(fd, buf, 0, 4096, (seed % (RAND_FILE / 4096)) * 4096);
      }
      const rate = RAND_READS / secs(t0);
      closeSync(fd);
      unlinkSync(path);
      return rate;
    },
  },
];

const metaWorkloads = (['create', 'stat', 'unlink'] as const).map((phase): Workload => ({
  name: `${phase} ${META_FILES / 1000}k files`,
  unit: 'ops/s',
  run({ dir }) {
    const d = join(dir, `meta-${phase}`);
    mkdirSync(d);
    const names = Array.from({ length: META_FILES }, (_, i) => join(d, `f${i}`));
    const create = () => names.forEach((n) => closeSync(openSync(n, 'w')));
    const stat = () => names.forEach((n) => statSync(n));
    const unlink = () => names.forEach((n) => unlinkSync(n));
    if (phase !== 'create') create();
    if (phase === 'unlink') stat();
    const t0 = process.hrtime.bigint();
    ({ create, stat, unlink })[phase]();
    const rate = META_FILES / secs(t0);
    rmSync(d, { recursive: true, force: true });
    return rate;
  },
}));

const untar: Workload = {
  name: `untar ${TREE}`,
  unit: 'files/s',
  run({ dir }, fx) {
    const d = join(dir, 'untar');
    mkdirSync(d);
    const t0 = process.hrtime.bigint();
    execFileSync('tar', ['-xf', fx.tarball, '-C', d]);
    const rate = fx.tarFiles / secs(t0);
    rmSync(d, { recursive: true, force: true });
    return rate;
  },
};

export const workloads: Workload[] = [...dataWorkloads, ...metaWorkloads, untar, ...treeWorkloads, ...copyUpWorkloads];
