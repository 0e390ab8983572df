/**
 * "Best branch by some measure" with an explicit tie rule: mergerfs and aufs break ties differently per
 * policy (mfs/lfs/newest: the lower branch; lus/lup and aufs pmfs: the upper one), and the preview must
 * say which rule decided.
 */
import type { BranchSpace } from './types.ts';
import { formatSize, formatSizePair } from '../sizes.ts';

export interface Ranking {
  /** Positive when branch a beats branch b outright, 0 when they are equal. */
  compare(a: number, b: number): number;
  ties: 'upper' | 'lower';
  /** Why `loser` lost to `winner` on the measure, naming both. */
  worse(loser: number, winner: number): string;
  /** The same for an equal measure (the tie rule is appended). */
  same(loser: number, winner: number): string;
}

/** The winner among non-empty, ascending candidates. */
export function best(candidates: readonly number[], r: Ranking): number {
  let win = candidates[0];
  for (const b of candidates.slice(1)) {
    const c = r.compare(b, win);
    if (c > 0 || (c === 0 && r.ties === 'lower')) win = b;
  }
  return win;
}

export function beatenBy(r: Ranking, winner: number): (loser: number) => string {
  return (loser) => (r.compare(loser, winner) === 0 ? `${r.same(loser, winner)}; ties go to the ${r.ties} branch` : r.worse(loser, winner));
}

function byBytes(value: (b: number) => number, moreIsBetter: boolean, measure: string, ties: Ranking['ties']): Ranking {
  return {
    compare: (a, b) => (moreIsBetter ? 1 : -1) * Math.sign(value(a) - value(b)),
    ties,
    worse: (l, w) => {
      const [lv, wv] = formatSizePair(value(l), value(w));
      return `b${l} has ${moreIsBetter ? 'less' : 'more'} ${measure} than b${w} (${lv} vs ${wv})`;
    },
    same: (l, w) => `b${l} has as much ${measure} as b${w} (${formatSize(value(w))})`,
  };
}

export const mostFree = (avail: (b: number) => number, ties: Ranking['ties']) => byBytes(avail, true, 'free space', ties);
export const leastFree = (avail: (b: number) => number) => byBytes(avail, false, 'free space', 'lower');
export const leastUsed = (used: (b: number) => number) => byBytes(used, false, 'used space', 'upper');

/** mergerfs lup: used/(used+avail), compared exactly by cross-multiplication; an empty filesystem counts as 0/1. */
export function leastUsedShare(space: (b: number) => BranchSpace): Ranking {
  const frac = (b: number): [bigint, bigint] => {
    const { used, avail } = space(b);
    const total = BigInt(Math.round(used + avail));
    return total === 0n ? [0n, 1n] : [BigInt(Math.round(used)), total];
  };
  const pct = (b: number) => {
    const [u, t] = frac(b);
    return `${((Number(u) / Number(t)) * 100).toFixed(1)}%`;
  };
  return {
    compare: (a, b) => {
      const [ua, ta] = frac(a);
      const [ub, tb] = frac(b);
      const d = ub * ta - ua * tb;
      return d > 0n ? 1 : d < 0n ? -1 : 0;
    },
    ties: 'upper',
    worse: (l, w) => `b${l} uses a larger share of its space than b${w} (${pct(l)} vs ${pct(w)})`,
    same: (l, w) => `b${l} uses the same share of its space as b${w} (${pct(w)})`,
  };
}

const isoSeconds = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

/** mergerfs newest: the largest mtime (whole seconds) of `path`. */
export function newestCopy(mtime: (b: number) => number, path: string): Ranking {
  return {
    compare: (a, b) => Math.sign(mtime(a) - mtime(b)),
    ties: 'lower',
    worse: (l, w) => `b${l}'s ${path} is older than b${w}'s (${isoSeconds(mtime(l))} vs ${isoSeconds(mtime(w))})`,
    same: (l, w) => `b${l}'s ${path} has the same mtime as b${w}'s (${isoSeconds(mtime(w))})`,
  };
}
