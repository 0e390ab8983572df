/**
 * Copy-up rows: files that exist only on the read-only lower branch, each opened for writing through
 * the union and changed by one byte, which copies it whole to the upper branch first. The raw directory
 * has no copy-up; its figure is a plain copy of the same files (copy_file_range), the floor for the copy.
 * Each pass copies up files of its own, laid down under a fresh name and synced first, so the copy-ups'
 * own fsyncs do not write them back too. Unions that do not copy up show
 * n/a: mergerfs opens the file on its read-only branch for writing (its RO mode only keeps the branch out
 * of the create and action policies) and changes it in place.
 */
import { closeSync, copyFileSync, mkdirSync, openSync, readSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { FILL, MiB, settle, timed, writeFile } from './fixtures.ts';
import type { Target } from './targets.ts';
import type { Workload } from './passes.ts';

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
    units: () => BIG / MiB,
    prepare: (t) => ({
      pass(i) {
        const rel = `copyup-big-${i}`;
        writeFile(join(t.lower, rel), BIG);
        settle();
        const secs = timed(() => changeOneByte(t, rel));
        lowerUnchanged(t, rel);
        if (statSync(join(t.dir, rel)).size !== BIG) throw new Error('the copy lost its size');
        return secs;
      },
    }),
  },
  {
    name: `copy-up of ${SMALL_FILES.toLocaleString('en-US')} files of ${SMALL / 1024} KiB`,
    unit: 'files/s',
    units: () => SMALL_FILES,
    prepare: (t) => ({
      pass(i) {
        const d = `copyup-small-${i}`;
        mkdirSync(join(t.lower, d));
        const data = Buffer.alloc(SMALL, FILL);
        for (let f = 0; f < SMALL_FILES; f++) writeFileSync(join(t.lower, d, `f${f}`), data);
        settle();
        const secs = timed(() => {
          for (let f = 0; f < SMALL_FILES; f++) changeOneByte(t, join(d, `f${f}`));
        });
        lowerUnchanged(t, join(d, 'f0'));
        return secs;
      },
    }),
  },
];
