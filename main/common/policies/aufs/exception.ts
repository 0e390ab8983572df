/**
 * aufs' whiteout/opaque exception (au_wbr_create_exp, §b.1.4), which only rr and mfs call (and so mfsrr,
 * and pmfsrr when it falls back to mfsrr): a name whited out on branch b, or inside a directory that is
 * opaque on b, goes to b itself when b can take it, whatever the policy. Otherwise the policy runs, and the
 * visibility barrier keeps it at or above b.
 */
import { barrierMark, barrierOf, passedOver, type Screened, type Selection } from '../filters.ts';
import type { PolicyInput } from '../types.ts';

export function whiteoutException(input: PolicyInput, sc: Screened): Selection | undefined {
  const b = barrierOf(input);
  if (b === undefined || !sc.candidates.includes(b)) return undefined;
  const mark = barrierMark(input, b);
  return {
    picks: [b],
    whyNot: passedOver(`aufs puts the entry on b${b}, which holds ${mark}, whatever the policy`),
    note: `b${b} holds ${mark}, so aufs' exception overrides the policy`,
  };
}
