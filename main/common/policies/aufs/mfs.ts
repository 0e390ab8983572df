/**
 * aufs mfs[:SEC] ("most-free-space") and mfsrr:LOW[:SEC] (au_mfs, au_wbr_create_mfs, au_wbr_create_mfsrr).
 * aufs holds the chosen branch, and the free bytes it saw, for SEC seconds; tdmfs and pmfs read the same
 * snapshot. It lives in PolicyState.mfsCache, shared by the union's aufs policies as aufs shares it per
 * superblock.
 */
import { formatSizePair } from '../../sizes.ts';
import { availOf, decide, NOTHING, passedOver, screen, type Screened, type Selection } from '../filters.ts';
import { beatenBy, best, mostFree } from '../ranking.ts';
import type { PolicyInput } from '../types.ts';
import { whiteoutException } from './exception.ts';
import type { AufsArgs, AufsCreatePolicy } from './policy.ts';
import { roundRobin } from './rr.ts';

export interface MfsChoice {
  /** undefined when no branch can take the entry. */
  branch?: number;
  /** Free bytes of every branch at the last scan (0 where statfs failed): aufs' wbr_bytes. */
  snapshot: readonly number[];
  /** The chosen branch's free bytes at that scan: aufs' mfsrr_bytes. */
  maxAvail: number;
  /** When the choice was made, if it is a held one rather than a fresh scan. */
  heldSince?: number;
}

/** Equal free space goes to the lower branch ("when the available size is equal, select the lower one"). */
const scanRanking = (snapshot: readonly number[]) => mostFree((b) => snapshot[b], 'lower');

export function mfsChoice(input: PolicyInput, sc: Screened, seconds: number): MfsChoice {
  const held = input.state.mfsCache;
  // aufs rescans once the hold expires or the held branch turns read-only. Strata also rescans when the
  // held branch fails the filter for this entry (full, hidden) or the branch list changed under it.
  if (held && held.availByBranch.length === input.branches.length && input.now <= held.at + seconds * 1000 && sc.candidates.includes(held.branch)) {
    return { branch: held.branch, snapshot: held.availByBranch, maxAvail: held.maxAvail, heldSince: held.at };
  }
  const snapshot = input.branches.map((_, b) => availOf(input, b));
  if (sc.candidates.length === 0) {
    input.state.mfsCache = undefined;
    return { snapshot, maxAvail: 0 };
  }
  const branch = best(sc.candidates, scanRanking(snapshot));
  input.state.mfsCache = { branch, at: input.now, maxAvail: snapshot[branch], availByBranch: snapshot };
  return { branch, snapshot, maxAvail: snapshot[branch] };
}

export function mfsSelection(input: PolicyInput, choice: MfsChoice, seconds: number): Selection {
  const { branch, heldSince } = choice;
  if (branch === undefined) return NOTHING;
  if (heldSince === undefined) return { picks: [branch], whyNot: beatenBy(scanRanking(choice.snapshot), branch) };
  const age = Math.round((input.now - heldSince) / 1000);
  return {
    picks: [branch],
    whyNot: passedOver(`aufs holds its most-free-space choice, b${branch}, for ${seconds} s (made ${age} s ago)`),
  };
}

/** mfs, then round-robin while even the most free space is below LOW. */
export function mfsrrSelection(input: PolicyInput, sc: Screened, { low, seconds }: AufsArgs): Selection {
  const exception = whiteoutException(input, sc);
  if (exception) return exception;
  const choice = mfsChoice(input, sc, seconds);
  if (choice.branch === undefined || choice.maxAvail >= low) return mfsSelection(input, choice, seconds);
  const [most, watermark] = formatSizePair(choice.maxAvail, low);
  return {
    ...roundRobin(input, sc),
    note: `the most free space, ${most} on b${choice.branch}, is below the watermark ${watermark}, so round-robin chose`,
  };
}

export const mfs: AufsCreatePolicy<'mfs'> = {
  name: 'mfs',
  aliases: ['most-free-space'],
  summary: 'The branch with the most free space (ties go to the lower branch), a choice held for SEC seconds.',
  takesLow: false,
  takesSeconds: true,
  create(input, { seconds }) {
    const sc = screen(input);
    return decide(sc, whiteoutException(input, sc) ?? mfsSelection(input, mfsChoice(input, sc, seconds), seconds));
  },
};

export const mfsrr: AufsCreatePolicy<'mfsrr'> = {
  name: 'mfsrr',
  aliases: [],
  summary: 'Most free space, switching to round-robin while even the best branch has less than LOW free.',
  takesLow: true,
  takesSeconds: true,
  create(input, args) {
    const sc = screen(input);
    return decide(sc, mfsrrSelection(input, sc, args));
  },
};
