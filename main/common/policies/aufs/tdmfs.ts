/**
 * aufs tdmfs:LOW[:SEC] (au_wbr_create_tdmfs): top-down regardless of the parent, skipping branches with
 * LOW bytes or less; most free space when none qualifies. It ignores the whiteout exception and only caps
 * its scan at the whiteout/opaque branch, which the visibility barrier does for every policy.
 */
import { formatSize, formatSizePair } from '../../sizes.ts';
import { decide, parentOf, passedOver, screen } from '../filters.ts';
import { mfsChoice, mfsSelection } from './mfs.ts';
import type { AufsCreatePolicy } from './policy.ts';
import { parentHolders } from './walk.ts';

export const tdmfs: AufsCreatePolicy<'tdmfs'> = {
  name: 'tdmfs',
  aliases: [],
  summary: 'The highest branch with more than LOW free, down to the lowest one holding the parent; else the most free space.',
  takesLow: true,
  takesSeconds: true,
  create(input, { low, seconds }) {
    const sc = screen(input);
    const choice = mfsChoice(input, sc, seconds);
    const free = (b: number) => choice.snapshot[b];
    // btaildir(parent): aufs never looks below the lowest branch holding the parent.
    const tail = parentHolders(input).at(-1) ?? input.branches.length - 1;
    const watermark = formatSize(low);
    const pick = sc.candidates.find((b) => b <= tail && free(b) > low);
    if (pick === undefined) {
      const fallback = mfsSelection(input, choice, seconds);
      return decide(sc, { ...fallback, note: `no branch down to b${tail} has more than ${watermark} free, so tdmfs fell back to most free space` });
    }
    const whyNot = (b: number) => {
      if (b > tail) return `b${b} is below b${tail}, the lowest branch with parent ${parentOf(input.path)}`;
      if (b > pick) return passedOver(`tdmfs takes the highest branch with more than ${watermark} free, b${pick}`)(b);
      const [has, wants] = formatSizePair(free(b), low);
      return `b${b} has ${has} free, not more than the watermark ${wants}`;
    };
    return decide(sc, { picks: [pick], whyNot });
  },
};
