/**
 * What the bench's workloads share: the small-file tree (as a tarball, laid down anew for each pass that
 * needs it), timing, medians, file filling, and dropping the kernel's caches for the cold rows.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, readdirSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Target } from './targets.ts';

export const MiB = 1024 * 1024;

/** Seconds `fn` took. */
export function timed(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

const TREE_DIRS = 30;
const TREE_FILES_PER_DIR = 100;
/** The tree's size, for the row names. */
export const TREE = `${(TREE_DIRS * TREE_FILES_PER_DIR).toLocaleString('en-US')} small files in ${TREE_DIRS} dirs`;

export interface Fixtures {
  /** A tarball of the small-file tree. */
  tarball: string;
  tarFiles: number;
  /** The sum of its files' sizes. */
  tarBytes: number;
}

export function makeFixtures(root: string): Fixtures {
  const src = join(root, 'tarsrc');
  let tarFiles = 0;
  let tarBytes = 0;
  for (let d = 0; d < TREE_DIRS; d++) {
    mkdirSync(join(src, `dir${d}`), { recursive: true });
    for (let f = 0; f < TREE_FILES_PER_DIR; f++, tarFiles++) {
      const size = 200 + f * 20;
      writeFileSync(join(src, `dir${d}`, `file${f}.txt`), 'x'.repeat(size));
      tarBytes += size;
    }
  }
  const tarball = join(root, 'small-files.tar');
  execFileSync('tar', ['-cf', tarball, '-C', src, '.']);
  return { tarball, tarFiles, tarBytes };
}

/** The small-file tree at `dir` (created). */
export function extractTree(fx: Fixtures, dir: string): void {
  mkdirSync(dir);
  execFileSync('tar', ['-xf', fx.tarball, '-C', dir]);
}

/** An empty file at `path`. */
export const touch = (path: string) => closeSync(openSync(path, 'w'));

/** `n` empty files in directory `name`, the first half on the upper branch, the rest on the lower; its path through the union. */
export function splitDir(t: Target, name: string, n: number): string {
  for (const [branch, from] of [
    [t.upper, 0],
    [t.lower, n / 2],
  ] as const) {
    mkdirSync(join(branch, name), { recursive: true });
    for (let i = from; i < from + n / 2; i++) touch(join(branch, name, `f${i}`));
  }
  const d = join(t.dir, name);
  const seen = readdirSync(d).length;
  if (seen !== n) throw new Error(`readdir saw ${seen} of ${n} entries`);
  return d;
}

/** The byte fixture files are filled with. */
export const FILL = 7;

/** A file of `bytes`, in 1 MiB writes, on disk when this returns. */
export function writeFile(path: string, bytes: number): void {
  const buf = Buffer.alloc(MiB, FILL);
  const fd = openSync(path, 'w');
  for (let done = 0; done < bytes; done += MiB) writeSync(fd, buf, 0, Math.min(MiB, bytes - done));
  fsyncSync(fd);
  closeSync(fd);
}

/** Writes back every dirty page, so what comes next does not pay for the writeback of what came before. */
export function syncAll(): void {
  execFileSync('sync');
}

const IDLE_WINDOW_MS = 50;
const IDLE_BUSY_SHARE = 0.1;
const IDLE_MAX_MS = 2000;

/** CPU time spent so far, busy and in all (USER_HZ ticks, every core), from /proc/stat's first line. */
function cpuTicks(): { busy: number; all: number } {
  const [user, nice, system, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'utf8').split('\n')[0].split(/\s+/).slice(1, 9).map(Number);
  // Steal is another guest's work on this host: no process here is doing it.
  return { busy: user + nice + system + irq + softirq, all: user + nice + system + idle + iowait + irq + softirq + steal };
}

/** The bench's passes and mounts run synchronously: a pause that keeps them so. */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Waits, up to IDLE_MAX_MS, for a window of IDLE_WINDOW_MS in which the cores were busy at most
 * IDLE_BUSY_SHARE of the time. What a pass set going in the background (a daemon taking the FORGETs of
 * the names it removed, or invalidating what it created) would otherwise fall on the next pass, most
 * often another target's.
 */
export function waitIdle(): void {
  const deadline = performance.now() + IDLE_MAX_MS;
  let before = cpuTicks();
  while (performance.now() < deadline) {
    sleepSync(IDLE_WINDOW_MS);
    const now = cpuTicks();
    if (now.all > before.all && (now.busy - before.busy) / (now.all - before.all) <= IDLE_BUSY_SHARE) return;
    before = now;
  }
}

/**
 * What came before (the pass before: 256 MiB to write back, a set-up's files; a pass's own fixture laid
 * down just now), written back and done with in the daemons, so that it does not slow what is timed next.
 */
export function settle(): void {
  syncAll();
  waitIdle();
}

/**
 * For every filesystem (FUSE ones included), after a sync so nothing is left dirty: dentries and inodes,
 * and with `pageCache` file data too. Needs root.
 */
export function dropCaches(pageCache = true): void {
  syncAll();
  writeFileSync('/proc/sys/vm/drop_caches', pageCache ? '3' : '2');
}
