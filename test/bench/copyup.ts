/**
 * Copy-up rows: files that exist only on the read-only lower branch, each opened for writing through
 * the union and changed by one byte, which copies it whole to the upper branch first. The raw directory
 * has no copy-up; its figure is a plain copy of the same files (copy_file_range), the floor for the copy.
 * Unions that do not copy up show n/a: mergerfs opens the file on its read-only branch for writing (its
 * RO mode only keeps the branch out of the create and action policies) and changes it in place.
 */
import { closeSync, copyFileSync, mkdirSync, openSync, readSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { FILL, MiB, secs, writeFile } from './fixtures.ts';
import type { Target } from './targets.ts';
import type { Workload } from './workloads.ts';

const BIG = 64 * MiB;
const SMALL_FILES = 200;
const SMALL = 4096;

/** Checked after the timing: a union that writes its read-only branch in place (mergerfs) made no copy. */
function lowerUnchanged(t: Target, rel: string): void {
  const fd = openSync(join(t.lower, rel), 'r');
  const first = Buffer.alloc(1);
  readSync(fd, first, 0, 1, 0);
  closeSync(fd);
  if (first[0] !== FILL) throw new Error('wrote the file on the lower branch in place: no copy-up');
}

function changeOneByte(t: Target, rel: string): void {
  let path = join(t.dir, rel);
  if (t.lower === t.dir) {
    copyFileSync(path, `${path}.copy`);
    path = `${path}.copy`;
  }
  const fd = openSync(path, 'r+');
  writeSync(fd, 'y', 0);
  closeSync(fd);
}

export const copyUpWorkloads: Workload[] = [
  {
    name: `copy-up of a ${BIG / MiB} MiB file`,
    unit: 'MiB/s',
    run(t) {
      writeFile(join(t.lower, 'copyup-big'), BIG);
      const t0 = process.hrtime.bigint();
      changeOneByte(t, 'copyup-big');
      const rate = BIG / MiB / secs(t0);
      lowerUnchanged(t, 'copyup-big');
      if (statSync(join(t.dir, 'copyup-big')).size !== BIG) throw new Error('the copy lost its size');
      return rate;
    },
  },
  {
    name: `copy-up of ${SMALL_FILES.toLocaleString('en-US')} files of ${SMALL / 1024} KiB`,
    unit: 'files/s',
    run(t) {
      const d = 'copyup-small';
      mkdirSync(join(t.lower, d));
      const data = Buffer.alloc(SMALL, FILL);
      for (let i = 0; i < SMALL_FILES; i++) writeFileSync(join(t.lower, d, `f${i}`), data);
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < SMALL_FILES; i++) changeOneByte(t, join(d, `f${i}`));
      const rate = SMALL_FILES / secs(t0);
      lowerUnchanged(t, join(d, 'f0'));
      return rate;
    },
  },
];
