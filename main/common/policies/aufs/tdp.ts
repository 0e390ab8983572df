/**
 * aufs tdp, "top-down-parent", the default (au_wbr_create_tdp). The tdp copy-up policy and pmfs reuse the
 * walk. Where aufs tests "writable", Strata tests the whole create filter (mode, mount, space, barrier).
 */
import { decide, dirNeed, NOTHING, parentOf, passedOver, screen, single, type Screened, type Selection } from '../filters.ts';
import type { PolicyInput, PolicyResult } from '../types.ts';
import type { AufsCreatePolicy } from './policy.ts';
import { nearestUpTo, parentHolders } from './walk.ts';

/**
 * `start` (aufs btop of the entry: the parent's top branch for a new name, the source for a copy-up) if it
 * can take the entry; else the highest eligible branch above it holding the parent; else the nearest
 * eligible branch above it. `startIs` says what `start` is, for the sentences.
 */
export function topDownParent(input: PolicyInput, sc: Screened, start: number, startIs: string): Selection {
  const ok = (b: number) => sc.candidates.includes(b);
  const parent = parentOf(input.path);
  if (ok(start)) return { picks: [start], whyNot: passedOver(`tdp takes b${start}, ${startIs}`) };
  const holder = parentHolders(input).find((b) => b < start && ok(b));
  if (holder !== undefined) {
    return { picks: [holder], whyNot: passedOver(`tdp takes b${holder}, the highest eligible branch above b${start} with parent ${parent}`) };
  }
  return single(
    nearestUpTo(sc.candidates, start - 1),
    (up) => `b${start} cannot take the entry, so tdp takes the nearest eligible branch above it, b${up}`,
    `tdp never goes below b${start}, ${startIs}`,
  );
}

/** Runs `pick` with btop(parent); when no branch has the parent, every branch is refused for that reason. */
export function fromParentTop(input: PolicyInput, pick: (top: number, sc: Screened) => PolicyResult): PolicyResult {
  const top = parentHolders(input)[0];
  if (top === undefined) return decide(screen(input, dirNeed(input, parentOf(input.path))), NOTHING);
  return pick(top, screen(input));
}

export const tdpStartIs = (input: PolicyInput) => `the highest branch with parent ${parentOf(input.path)}`;

export const tdp: AufsCreatePolicy<'tdp'> = {
  name: 'tdp',
  aliases: ['top-down-parent'],
  summary: 'The highest branch holding the parent directory; if it cannot take the entry, the nearest eligible branch above it.',
  takesLow: false,
  takesSeconds: false,
  create: (input) => fromParentTop(input, (top, sc) => decide(sc, topDownParent(input, sc, top, tdpStartIs(input)))),
};
