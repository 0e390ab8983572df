/**
 * What a row of the bench is and how often it is timed. One pass of most rows lasts tens of
 * milliseconds, inside the noise of a shared 2-core machine, so every row repeats its pass on each
 * target and reports the median rate: at least MIN_PASSES (a median that one outlier cannot move), then
 * on until the timed parts total BUDGET_SECS, at most MAX_PASSES, and no more once the passes with their
 * untimed set-up have taken WALL_SECS. Passes of milliseconds get ten; those of a second or more (10k
 * creates through a union) or with a set-up of a second (10k files laid down for unlink) get three to
 * five, which keeps the whole run within ten minutes.
 */
import { type Fixtures, median, syncAll } from './fixtures.ts';
import type { Target } from './targets.ts';

const MIN_PASSES = 3;
const MAX_PASSES = 10;
const BUDGET_SECS = 1;
const WALL_SECS = 5;

export interface Passes {
  /** Pass `i` (from 0): lays down afresh what it destroys, untimed; returns the seconds its timed part took. */
  pass(i: number): number;
  /** Removes what the passes shared, after the last. */
  done?(): void;
}

export interface Workload {
  name: string;
  unit: string;
  /** The work one pass does, in `unit`'s numerator (MiB, reads, files, calls). */
  units(fx: Fixtures): number;
  /** Untimed set-up on one target, shared by its passes. */
  prepare(target: Target, fx: Fixtures): Passes;
}

export interface Measured {
  /** Median rate over the passes, NaN where the target failed. */
  rate: number;
  passes: number;
}

function passes(w: Workload, t: Target, fx: Fixtures): Measured {
  const p = w.prepare(t, fx);
  // The rows before (256 MiB written per pass) and this set-up leave pages to write back, which would
  // slow whichever targets come first in the row.
  syncAll();
  try {
    const rates: number[] = [];
    let timedSecs = 0;
    const start = performance.now();
    const more = () => rates.length < MIN_PASSES || (timedSecs < BUDGET_SECS && rates.length < MAX_PASSES && performance.now() - start < WALL_SECS * 1000);
    while (more()) {
      const secs = p.pass(rates.length);
      timedSecs += secs;
      rates.push(w.units(fx) / secs);
    }
    return { rate: median(rates), passes: rates.length };
  } finally {
    p.done?.();
  }
}

/** A failing target (a union that refuses the operation, a mount that died) gets n/a, not the whole run aborted. */
export function measure(w: Workload, t: Target, fx: Fixtures): Measured {
  try {
    return passes(w, t, fx);
  } catch (e) {
    // A failed command's own first complaint says more than "Command failed".
    const { message, stderr } = e as Error & { stderr?: Buffer };
    const why = [message, String(stderr ?? '')]
      .map((m) => m.split('\n')[0])
      .filter(Boolean)
      .join(': ');
    process.stderr.write(`  ${w.name}: ${t.name}: n/a (${why})\n`);
    return { rate: Number.NaN, passes: 0 };
  }
}
