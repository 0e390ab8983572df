/**
 * "µs per call" rows: single syscalls from the benchmark process (synchronous node:fs calls, so each
 * time holds node's own few hundred nanoseconds per call, the same on every target), many per pass. A
 * pass is a batch of `units` calls under the same rule as the main table's rows (passes.ts); a row
 * reports the median batch's time per call. Files a call needs are laid down in the writable branch
 * under a fresh name and looked up once through the union, so a call times itself rather than the lookup
 * of its name (the uncached stat times exactly that lookup), and synced before the batch, so it does not
 * time the filesystem writing them back either.
 */
import { closeSync, constants, mkdirSync, openSync, readSync, readdirSync, renameSync, rmdirSync, statSync, statfsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { MiB, dropCaches, settle, splitDir, timed, touch, writeFile } from './fixtures.ts';
import type { Passes, Workload } from './passes.ts';
import type { Target } from './targets.ts';

/** Calls per batch: calls that stay in the kernel or a cache take microseconds; namespace changes reach a union's daemon. */
const CHEAP = 5_000;
const CHANGES = 500;
const UNCACHED = 1_000;
const LISTED = 100;
const PREAD_FILE = MiB;

const names = (dir: string, n: number) => Array.from({ length: n }, (_, i) => join(dir, `f${i}`));

/** `n` entries made by `make` in a fresh writable-branch directory, by their paths through the union. */
function laidDown(t: Target, name: string, n: number, make: (path: string) => void): string[] {
  mkdirSync(join(t.upper, name));
  names(join(t.upper, name), n).forEach(make);
  return names(join(t.dir, name), n);
}

/** As laidDown, each looked up once through the union. */
function lookedUp(t: Target, name: string, n: number, make: (path: string) => void): string[] {
  const paths = laidDown(t, name, n, make);
  paths.forEach((p) => statSync(p));
  return paths;
}

/** One existing file through the union, looked up once. */
function oneFile(t: Target, name: string): string {
  touch(join(t.upper, name));
  statSync(join(t.dir, name));
  return join(t.dir, name);
}

const repeat = (n: number, call: (k: number) => void) => () => {
  for (let k = 0; k < n; k++) call(k);
};

/** A row whose every batch runs `call` on paths from a fresh `fixture` of its own. */
function freshEach(name: string, calls: number, fixture: (t: Target, dir: string) => string[], call: (path: string) => void): Workload {
  const slug = name.split(/\W+/)[0];
  return {
    name,
    unit: 'µs',
    units: () => calls,
    prepare: (t): Passes => ({
      pass(i) {
        const paths = fixture(t, `lat-${slug}-${i}`);
        // Its writeback and journal commit, and the daemons' FORGETs of a cache drop, come before the batch.
        settle();
        return timed(() => {
          for (const p of paths) call(p);
        });
      },
    }),
  };
}

/** A row whose batches repeat `call` on one fixture. */
function sameEach(name: string, calls: number, fixture: (t: Target) => { call: (k: number) => void; done?: () => void }): Workload {
  return {
    name,
    unit: 'µs',
    units: () => calls,
    prepare(t) {
      const { call, done } = fixture(t);
      return { pass: () => timed(repeat(calls, call)), done };
    },
  };
}

const madeHere = (t: Target, dir: string, n: number) => {
  mkdirSync(join(t.dir, dir));
  return names(join(t.dir, dir), n);
};

export const latencyOps: Workload[] = [
  sameEach('stat of one file, warm', CHEAP, (t) => {
    const path = oneFile(t, 'lat-stat');
    return { call: () => statSync(path) };
  }),
  freshEach(
    'stat of files never looked up, dentries and inodes dropped',
    UNCACHED,
    (t, dir) => {
      const paths = laidDown(t, dir, UNCACHED, touch);
      dropCaches(false);
      statSync(join(t.dir, dir));
      return paths;
    },
    (p) => statSync(p),
  ),
  sameEach('statfs of the union (df)', CHEAP, (t) => ({ call: () => statfsSync(t.dir) })),
  sameEach('open + close O_RDONLY', CHEAP, (t) => {
    const path = oneFile(t, 'lat-open');
    return { call: () => closeSync(openSync(path, 'r')) };
  }),
  freshEach(
    'create (O_CREAT|O_EXCL) + close',
    CHANGES,
    (t, dir) => madeHere(t, dir, CHANGES),
    (p) => closeSync(openSync(p, constants.O_CREAT | constants.O_EXCL | constants.O_WRONLY)),
  ),
  freshEach(
    'unlink',
    CHANGES,
    (t, dir) => lookedUp(t, dir, CHANGES, touch),
    (p) => unlinkSync(p),
  ),
  freshEach(
    'mkdir',
    CHANGES,
    (t, dir) => madeHere(t, dir, CHANGES),
    (p) => mkdirSync(p),
  ),
  freshEach(
    'rmdir',
    CHANGES,
    (t, dir) => lookedUp(t, dir, CHANGES, (p) => mkdirSync(p)),
    (p) => rmdirSync(p),
  ),
  freshEach(
    'rename within a dir',
    CHANGES,
    (t, dir) => lookedUp(t, dir, CHANGES, touch),
    (p) => renameSync(p, `${p}r`),
  ),
  sameEach(`readdir of ${LISTED} entries, half on each branch (opendir, read all, close)`, CHEAP / 5, (t) => {
    const d = splitDir(t, 'lat-readdir', LISTED);
    return { call: () => readdirSync(d) };
  }),
  sameEach('pread of 4 KiB from an open file, warm', CHEAP, (t) => {
    const path = join(t.dir, 'lat-pread');
    writeFile(path, PREAD_FILE);
    const fd = openSync(path, 'r');
    const buf = Buffer.alloc(4096);
    for (let at = 0; at < PREAD_FILE; at += 4096) readSync(fd, buf, 0, 4096, at);
    return { call: (k) => readSync(fd, buf, 0, 4096, (k % (PREAD_FILE / 4096)) * 4096), done: () => closeSync(fd) };
  }),
];
