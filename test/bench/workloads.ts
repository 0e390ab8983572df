/**
 * Benchmark workloads, each returning a rate (higher is better). They run synchronously in the
 * benchmark process, which never serves a mount, so blocking calls are fine here and keep the
 * measured path free of event-loop noise.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, openSync, readSync, rmSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface Workload {
  name: string;
  unit: string;
  run(dir: string, fixtures: Fixtures): number;
}

export interface Fixtures {
  /** A tarball of a few thousand small files. */
  tarball: string;
  tarFiles: number;
}

const MiB = 1024 * 1024;
const secs = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

function writeFile(path: string, bytes: number): void {
  const buf = Buffer.alloc(MiB, 7);
  const fd = openSync(path, 'w');
  for (let done = 0; done < bytes; done += MiB) writeSync(fd, buf, 0, MiB);
  fsyncSync(fd);
  closeSync(fd);
}

const SEQ_BYTES = 256 * MiB;
const RAND_FILE = 64 * MiB;
const RAND_READS = 20_000;
const META_FILES = 10_000;

export const workloads: Workload[] = [
  {
    name: 'seq write 1 MiB blocks',
    unit: 'MiB/s',
    run(dir) {
      const t0 = process.hrtime.bigint();
      writeFile(join(dir, 'seq'), SEQ_BYTES);
      const rate = SEQ_BYTES / MiB / secs(t0);
      unlinkSync(join(dir, 'seq'));
      return rate;
    },
  },
  {
    name: 'seq read 1 MiB blocks (warm)',
    unit: 'MiB/s',
    run(dir) {
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
    name: 'random 4 KiB read',
    unit: 'IOPS',
    run(dir) {
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
  ...(['create', 'stat', 'unlink'] as const).map((phase): Workload => ({
    name: `${phase} 10k files`,
    unit: 'ops/s',
    run(dir) {
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
  })),
  {
    name: 'untar small files',
    unit: 'files/s',
    run(dir, fx) {
      const d = join(dir, 'untar');
      mkdirSync(d);
      const t0 = process.hrtime.bigint();
      execFileSync('tar', ['-xf', fx.tarball, '-C', d]);
      const rate = fx.tarFiles / secs(t0);
      rmSync(d, { recursive: true, force: true });
      return rate;
    },
  },
];
