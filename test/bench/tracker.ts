/**
 * Tracker row of `npm run bench`: with `n` sleepers each holding a union file open and its cwd in the
 * union, how long a full tracker scan takes against `lsof <mountpoint>` answering the same question
 * (who uses this union) at the same moment; and how long a live rescan takes when nothing changed.
 * Medians of alternating runs after a few warm-up rounds (the desktop app's tracker runs warm); the
 * first, cold scan (what a one-shot `strata maps` pays) is reported apart.
 */
import { execFile } from 'node:child_process';
import { managerSource } from '../../main/node/tracker/managerSource.ts';
import { scanSnapshot } from '../../main/node/tracker/scan.ts';
import { MapsTracker } from '../../main/node/tracker/tracker.ts';
import { fill, fixedSource, mountTrackerUnion, sleepers } from '../support/trackerFixture.ts';
import { median } from './fixtures.ts';

const WARMUP = 3;
const RUNS = 7;

export interface TrackerBench {
  /** The first scan, cold. */
  coldMs: number;
  strataMs: number;
  lsofMs: number;
  /** lsofMs / strataMs */
  ratio: number;
  /** An incremental rescan of the live tracker with nothing changed, and lsofMs / rescanMs. */
  rescanMs: number;
  rescanRatio: number;
}

function lsof(mnt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // -w: no warnings, -n -P: no name lookups, so lsof does only what the tracker does.
    execFile('lsof', ['-w', '-n', '-P', mnt], { maxBuffer: 256 << 20 }, (err, stdout) => {
      if (err && !stdout) reject(err);
      else resolve(stdout);
    });
  });
}

async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

export async function benchTracker(n: number): Promise<TrackerBench> {
  const union = await mountTrackerUnion((b) => fill(`${b[0]}/held.bin`));
  const source = union.kind === 'strata' ? managerSource : fixedSource(union);
  let crowd: Awaited<ReturnType<typeof sleepers>> | undefined;
  try {
    crowd = await sleepers(n, union.at('held.bin'), union.mnt);
    const pids = crowd.pids;
    const tracker = new MapsTracker({ source, mountpoint: union.mnt });
    const strataMs: number[] = [];
    const lsofMs: number[] = [];
    const rescanMs: number[] = [];
    let coldMs = 0;
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const s = await timed(() => scanSnapshot({ source, mountpoint: union.mnt }));
      const l = await timed(() => lsof(union.mnt));
      const r = await timed(() => tracker.rescan());
      const seen = new Set(s.value.entries.map((e) => e.pid));
      const lsofPids = new Set(
        l.value
          .split('\n')
          .slice(1)
          .filter(Boolean)
          .map((line) => Number(line.split(/\s+/)[1])),
      );
      if (pids.some((pid) => !seen.has(pid) || !lsofPids.has(pid))) {
        throw new Error(`tracker bench: a sleeper was missed (tracker saw ${seen.size}, lsof ${lsofPids.size} of ${n})`);
      }
      if (i === 0) coldMs = s.ms;
      if (i < WARMUP) continue;
      strataMs.push(s.ms);
      lsofMs.push(l.ms);
      rescanMs.push(r.ms);
    }
    const result = { coldMs, strataMs: median(strataMs), lsofMs: median(lsofMs), rescanMs: median(rescanMs) };
    return { ...result, ratio: result.lsofMs / result.strataMs, rescanRatio: result.lsofMs / result.rescanMs };
  } finally {
    await crowd?.stop();
    await union.cleanup();
  }
}
