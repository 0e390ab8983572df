/**
 * aufs pmfs[:SEC] and pmfsrr:LOW[:SEC] (au_wbr_create_pmfs, au_wbr_create_pmfsrr): tdp's choice, traded
 * for a branch holding the parent with strictly more free space (so ties keep the upper branch).
 *
 * aufs runs pmfsrr's scan over parent-holding branches only and holds that choice, so within SEC its
 * "regardless of the parent" fallback can reuse it. Strata's mfs scan always covers every branch, giving
 * the fallback the man page describes; pmfs reads only the per-branch bytes, which are the same either way.
 */
import { formatSizePair } from '../../sizes.ts';
import { decide, parentOf, passedOver, type Screened, type Selection } from '../filters.ts';
import { beatenBy, best, mostFree } from '../ranking.ts';
import type { PolicyInput } from '../types.ts';
import { mfsChoice, mfsrrSelection } from './mfs.ts';
import type { AufsCreatePolicy } from './policy.ts';
import { fromParentTop, tdpStartIs, topDownParent } from './tdp.ts';
import { parentHolders } from './walk.ts';

/** The selection, and the chosen branch's free bytes in the mfs snapshot (for pmfsrr's watermark). */
function pmfsSelection(input: PolicyInput, sc: Screened, top: number, seconds: number): { sel: Selection; free?: number } {
  const start = topDownParent(input, sc, top, tdpStartIs(input));
  const [b] = start.picks;
  if (b === undefined) return { sel: start };
  const { snapshot } = mfsChoice(input, sc, seconds);
  // tdp's choice is never below a parent holder, so listing it first makes "ties go to the upper branch" hold.
  const weighed = [b, ...parentHolders(input).filter((h) => h > b && sc.candidates.includes(h))];
  const ranking = mostFree((x) => snapshot[x], 'upper');
  const win = best(weighed, ranking);
  const beaten = beatenBy(ranking, win);
  const unweighed = passedOver(`pmfs weighs only tdp's choice, b${b}, and the branches below it with parent ${parentOf(input.path)}`);
  return { free: snapshot[win], sel: { picks: [win], whyNot: (x) => (weighed.includes(x) ? beaten(x) : unweighed(x)) } };
}

export const pmfs: AufsCreatePolicy<'pmfs'> = {
  name: 'pmfs',
  aliases: [],
  summary: 'Among branches holding the parent directory, the one with the most free space (ties go to the upper branch).',
  takesLow: false,
  takesSeconds: true,
  create: (input, { seconds }) => fromParentTop(input, (top, sc) => decide(sc, pmfsSelection(input, sc, top, seconds).sel)),
};

export const pmfsrr: AufsCreatePolicy<'pmfsrr'> = {
  name: 'pmfsrr',
  aliases: [],
  summary: 'Like pmfs, but below LOW free it takes the most free space on any branch, then round-robin.',
  takesLow: true,
  takesSeconds: true,
  create: (input, args) =>
    fromParentTop(input, (top, sc) => {
      const { sel, free } = pmfsSelection(input, sc, top, args.seconds);
      if (free === undefined || free >= args.low) return decide(sc, sel);
      const [has, watermark] = formatSizePair(free, args.low);
      const fallback = mfsrrSelection(input, sc, args);
      const why = `pmfs's choice b${sel.picks[0]} has ${has} free, below the watermark ${watermark}`;
      return decide(sc, { ...fallback, note: fallback.note ? `${why}; ${fallback.note}` : why });
    }),
};
