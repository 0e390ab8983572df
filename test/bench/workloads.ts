/**
 * Benchmark workloads, each returning a rate (higher is better). They run synchronously in the
 * benchmark process, which never serves a mount, so blocking calls are fine here and keep the
 * measured path free of event-loop noise.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readSync, rmSync, rmdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { copyUpWorkloads } from './copyup.ts';
import { MiB, TREE, timed, touch, writeFile } from './fixtures.ts';
import type { Workload } from './passes.ts';
import type { Target } from './targets.ts';
import { treeWorkloads } from './trees.ts';

const SEQ_BYTES = 256 * MiB;
const RAND_FILE = 64 * MiB;
const RAND_READS = 20_000;
const SMALL_WRITES_BYTES = 64 * MiB;
const SMALL_WRITE = 4096;
const META_FILES = 10_000;

/**
 * Reads of file `name` laid down in `laidIn(t)` (through the union, or directly in a branch), warm; on
 * Strata's union with `strata set` options for the row, set back to `unset` after it.
 */
function seqRead(where: string, name: string, laidIn: (t: Target) => string, settings?: { set: string[]; unset: string[] }): Workload {
  return {
    name: `seq read ${SEQ_BYTES / MiB} MiB in 1 MiB blocks${where} (warm)`,
    unit: 'MiB/s',
    units: () => SEQ_BYTES / MiB,
    prepare(t) {
      if (settings) t.set?.(settings.set);
      const laid = join(laidIn(t), name);
      writeFile(laid, SEQ_BYTES);
      const path = join(t.dir, name);
      const buf = Buffer.alloc(MiB);
      const readAll = () => {
        const fd = openSync(path, 'r');
        while (readSync(fd, buf, 0, MiB, null) > 0);
        closeSync(fd);
      };
      readAll();
      return {
        pass: () => timed(readAll),
        done: () => {
          unlinkSync(laid);
          if (settings) t.set?.(settings.unset);
        },
      };
    },
  };
}

const dataWorkloads: Workload[] = [
  {
    name: `seq write ${SEQ_BYTES / MiB} MiB in 1 MiB blocks`,
    unit: 'MiB/s',
    units: () => SEQ_BYTES / MiB,
    prepare: ({ dir }) => ({
      pass(i) {
        const path = join(dir, `seq${i}`);
        const secs = timed(() => writeFile(path, SEQ_BYTES));
        unlinkSync(path);
        return secs;
      },
    }),
  },
  {
    // The page cache's speed, not the disk's (no fsync, and the file goes before writeback): what each
    // write(2) costs on its way through, as logs and databases write.
    name: `write ${SMALL_WRITES_BYTES / MiB} MiB in 4 KiB blocks`,
    unit: 'MiB/s',
    units: () => SMALL_WRITES_BYTES / MiB,
    prepare: ({ dir }) => {
      const buf = Buffer.alloc(SMALL_WRITE, 0x5a);
      return {
        pass(i) {
          const path = join(dir, `small${i}`);
          const secs = timed(() => {
            const fd = openSync(path, 'w');
            for (let done = 0; done < SMALL_WRITES_BYTES; done += SMALL_WRITE) writeSync(fd, buf);
            closeSync(fd);
          });
          unlinkSync(path);
          return secs;
        },
      };
    },
  },
  seqRead('', 'seqr', (t) => t.dir),
  // A file the union serves from its read-only branch: Strata keeps it in the FUSE page cache rather
  // than passing it through, so that a handle opened before a copy-up reads the copy (README).
  seqRead(', on the lower branch', 'seqr-lower', (t) => t.lower),
  // The same, where the union passes such files through as well, as mergerfs 2.42's passthrough.io does.
  seqRead(', on the lower branch, strata --passthrough all', 'seqr-lower-all', (t) => t.lower, {
    set: ['--passthrough', 'all'],
    unset: ['--passthrough', 'auto'],
  }),
  {
    name: `random 4 KiB read, ${RAND_READS / 1000}k in a ${RAND_FILE / MiB} MiB file`,
    unit: 'IOPS',
    units: () => RAND_READS,
    prepare({ dir }) {
      const path = join(dir, 'rand');
      writeFile(path, RAND_FILE);
      const buf = Buffer.alloc(4096);
      return {
        pass(i) {
          const fd = openSync(path, 'r');
          let seed = 12345 + i;
          const secs = timed(() => {
            for (let r = 0; r < RAND_READS; r++) {
              seed = (seed * 1103515245 + 12345) & 0x7fffffff;
              readSync(fd, buf, 0, 4096, (seed % (RAND_FILE / 4096)) * 4096);
            }
          });
          closeSync(fd);
          return secs;
        },
        done: () => unlinkSync(path),
      };
    },
  },
];

const metaNames = (dir: string) => Array.from({ length: META_FILES }, (_, i) => join(dir, `f${i}`));

/**
 * Files for stat and unlink are laid down in the writable branch under a fresh name, far quicker than
 * through a union, so passes stay cheap; their paths through the union.
 */
function laidDown(t: { dir: string; upper: string }, name: string): string[] {
  mkdirSync(join(t.upper, name));
  metaNames(join(t.upper, name)).forEach(touch);
  return metaNames(join(t.dir, name));
}

const metaWorkloads: Workload[] = [
  {
    name: `create ${META_FILES / 1000}k files`,
    unit: 'ops/s',
    units: () => META_FILES,
    prepare: ({ dir }) => ({
      pass(i) {
        const d = join(dir, `meta-create-${i}`);
        mkdirSync(d);
        const secs = timed(() => metaNames(d).forEach(touch));
        rmSync(d, { recursive: true, force: true });
        return secs;
      },
    }),
  },
  {
    // Names the union has never looked up, so each stat is one lookup through it (the raw directory
    // answers from the dentries their creation left); the µs table has the warm stat.
    name: `stat ${META_FILES / 1000}k files, new to the union`,
    unit: 'ops/s',
    units: () => META_FILES,
    prepare: (t) => ({
      pass(i) {
        const paths = laidDown(t, `meta-stat-${i}`);
        return timed(() => paths.forEach((p) => statSync(p)));
      },
    }),
  },
  {
    name: `unlink ${META_FILES / 1000}k files`,
    unit: 'ops/s',
    units: () => META_FILES,
    prepare: (t) => ({
      pass(i) {
        // Looked up once through the union first, as after a create there.
        const paths = laidDown(t, `meta-unlink-${i}`);
        paths.forEach((p) => statSync(p));
        const secs = timed(() => paths.forEach(unlinkSync));
        rmdirSync(join(t.dir, `meta-unlink-${i}`));
        return secs;
      },
    }),
  },
];

const untar: Workload = {
  name: `untar ${TREE}`,
  unit: 'files/s',
  units: (fx) => fx.tarFiles,
  prepare: ({ dir }, fx) => ({
    pass(i) {
      const d = join(dir, `untar-${i}`);
      mkdirSync(d);
      const secs = timed(() => execFileSync('tar', ['-xf', fx.tarball, '-C', d]));
      rmSync(d, { recursive: true, force: true });
      return secs;
    },
  }),
};

export const workloads: Workload[] = [...dataWorkloads, ...metaWorkloads, untar, ...treeWorkloads, ...copyUpWorkloads];
