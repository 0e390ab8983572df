/**
 * What a row of the bench is and how often it is timed. One pass of most rows lasts tens of
 * milliseconds, inside the noise of a shared 2-core machine, so every row repeats its pass and reports
 * each target's median rate. The passes run in rounds, one pass on every target a round (the order
 * reversed every other round), so a slow spell of the machine falls on every column of the row alike
 * rather than on whichever target was being timed: rounds go on to at least MIN_PASSES (a median that
 * one outlier cannot move; more for a row that asks, whose passes move more), then until some target's
 * timed parts total BUDGET_SECS, at most MAX_PASSES, and no more once the row has taken WALL_SECS a
 * target. Passes of milliseconds get ten; those of a second or more (10k creates through a union) or
 * with a set-up of a second (10k files laid down for unlink) get three to five, which keeps the whole
 * run within ten minutes.
 */
import { type Fixtures, median, settle } from './fixtures.ts';
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
  /** Rounds at the least, for a row whose passes move too much for MIN_PASSES. */
  minPasses?: number;
}

export interface Measured {
  /** Median rate over the passes, NaN where the target failed. */
  rate: number;
  passes: number;
}

/** One target's passes in a row; `passes` undefined once it failed. */
interface Run {
  target: Target;
  passes?: Passes;
  rates: number[];
  timedSecs: number;
}

/** A failing target (a union that refuses the operation, a mount that died) gets n/a, not the whole run aborted. */
function failed(w: Workload, run: Run, e: unknown): void {
  // A failed command's own first complaint says more than "Command failed".
  const { message, stderr } = e as Error & { stderr?: Buffer };
  const why = [message, String(stderr ?? '')]
    .map((m) => m.split('\n')[0])
    .filter(Boolean)
    .join(': ');
  process.stderr.write(`  ${w.name}: ${run.target.name}: n/a (${why})\n`);
  run.rates = [];
}

/** Runs the passes' clean-up once, after the last pass or a failed one. */
function finish(w: Workload, run: Run): void {
  const p = run.passes;
  run.passes = undefined;
  try {
    p?.done?.();
  } catch (e) {
    failed(w, run, e);
  }
}

function prepared(w: Workload, target: Target, fx: Fixtures): Run {
  const run: Run = { target, rates: [], timedSecs: 0 };
  try {
    run.passes = w.prepare(target, fx);
  } catch (e) {
    failed(w, run, e);
  }
  return run;
}

/** Row `w` on every target, in rounds, `before` each pass; one Measured per target, in their order. */
export function measureRow(w: Workload, targets: Target[], fx: Fixtures, before = settle): Measured[] {
  const runs = targets.map((t) => prepared(w, t, fx));
  const start = performance.now();
  const more = (round: number) =>
    round < (w.minPasses ?? MIN_PASSES) ||
    (round < MAX_PASSES && performance.now() - start < WALL_SECS * 1000 * targets.length && runs.some((r) => r.passes && r.timedSecs < BUDGET_SECS));
  try {
    for (let round = 0; more(round) && runs.some((r) => r.passes); round++) {
      for (const run of round % 2 ? [...runs].reverse() : runs) {
        const p = run.passes;
        if (!p) continue;
        before();
        try {
          const secs = p.pass(round);
          run.timedSecs += secs;
          run.rates.push(w.units(fx) / secs);
        } catch (e) {
          failed(w, run, e);
          finish(w, run);
        }
      }
    }
  } finally {
    for (const run of runs) finish(w, run);
  }
  return runs.map((r) => ({ rate: r.rates.length ? median(r.rates) : Number.NaN, passes: r.rates.length }));
}
