/** How a mergerfs create policy picks among its candidates (non-empty and ascending). */
import { availOf, passedOver, type Selection } from '../filters.ts';
import { beatenBy, best, type Ranking } from '../ranking.ts';
import type { PolicyInput } from '../types.ts';

/** `at`: the directory the candidates hold (the parent, or an msp* ancestor). */
export type Selector = (input: PolicyInput, candidates: number[], at: string) => Selection;

export const first: Selector = (_input, [top]) => ({
  picks: [top],
  whyNot: passedOver(`b${top} is the first eligible branch`),
});

/** mergerfs loops over every returned branch for mkdir, mknod and symlink; a file only goes to the first. */
export const every: Selector = (input, candidates) => {
  if (input.fn !== 'create') return { picks: candidates, whyNot: passedOver('every eligible branch is used') };
  return {
    picks: [candidates[0]],
    whyNot: passedOver(`a file goes to the first eligible branch, b${candidates[0]}; only mkdir, mknod and symlink use every branch`),
  };
};

export function ranked(ranking: (input: PolicyInput, at: string) => Ranking): Selector {
  return (input, candidates, at) => {
    const r = ranking(input, at);
    const win = best(candidates, r);
    return { picks: [win], whyNot: beatenBy(r, win) };
  };
}

const percent = (p: number) => `${Math.round(p * 100)}%`;

/**
 * mergerfs pfrd: `t = rand64() % sum`, then the first branch whose running total of free bytes reaches t.
 * A zero sum picks nothing, and the refusal's errno is whatever the filter collected.
 */
export const weighted: Selector = (input, candidates) => {
  const sum = candidates.reduce((s, b) => s + availOf(input, b), 0);
  if (sum === 0) return { picks: [], whyNot: (b) => `b${b} has no free space to weight the random draw` };
  const threshold = Math.floor(input.random() * sum);
  let running = 0;
  let pick = candidates[0];
  for (pick of candidates) if ((running += availOf(input, pick)) >= threshold) break;
  return {
    picks: [pick],
    whyNot: (b) => `b${b} was not drawn: the free-space-weighted draw picked b${pick} (b${b} had a ${percent(availOf(input, b) / sum)} chance)`,
  };
};

/** mergerfs rand/eprand: one candidate, uniformly (`swap(v[0], v[rand % n])`, then only v[0] is kept). */
export const uniform: Selector = (input, candidates) => {
  const pick = candidates[Math.floor(input.random() * candidates.length)];
  return {
    picks: [pick],
    whyNot: (b) => `b${b} was not drawn: the uniform draw among ${candidates.length} branches picked b${pick}`,
  };
};
