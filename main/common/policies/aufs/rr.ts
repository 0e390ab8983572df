/**
 * aufs rr, "round-robin" (au_wbr_create_rr). The turn counter lives in PolicyState so it survives between
 * calls and a preview (which runs on a copy of the state) never advances it.
 */
import { decide, NOTHING, passedOver, screen, type Screened, type Selection } from '../filters.ts';
import type { PolicyInput } from '../types.ts';
import { whiteoutException } from './exception.ts';
import type { AufsCreatePolicy } from './policy.ts';

/**
 * aufs starts the counter at -(lowest writable branch), and takes `(unsigned)old % nbranches` as the turn,
 * so with three branches the order is 2, 1, 0, 2, …; with counts where 2^32 is not 1 mod n the cycle starts
 * elsewhere. Kept bit-for-bit: it is what an aufs user would see.
 */
function initialCounter(input: PolicyInput): number {
  const writable = input.branches.map((br, b) => (br.mode === 'rw' && !br.mountedReadOnly && br.blockedBy === undefined ? b : -1));
  return -Math.max(0, ...writable);
}

/**
 * Up to one attempt per branch; each attempt at a branch that cannot take the entry still uses up a turn
 * (atomic_dec_return(next) + 1, skipping a turn of 0: "modulo for 0 is meaningless"). mkdir reads the
 * counter without advancing it, so directories made in a row land together. aufs retries that same turn;
 * Strata looks at the following turns instead, so a mkdir is not refused while some branch could take it.
 */
export function roundRobin(input: PolicyInput, sc: Screened): Selection {
  const state = input.state;
  state.rrCounter ??= initialCounter(input);
  const n = input.branches.length;
  for (let attempt = 0; attempt < n; attempt++) {
    let turn = input.fn === 'mkdir' ? state.rrCounter - attempt : state.rrCounter--;
    if (turn === 0 && input.fn !== 'mkdir') turn = state.rrCounter--;
    const b = (turn >>> 0) % n;
    if (sc.candidates.includes(b)) return { picks: [b], whyNot: passedOver(`it was b${b}'s turn in the round-robin`) };
  }
  return NOTHING;
}

export const rr: AufsCreatePolicy<'rr'> = {
  name: 'rr',
  aliases: ['round-robin'],
  summary: 'Takes eligible branches in turn, moving upward; a run of mkdirs stays on one branch.',
  takesLow: false,
  takesSeconds: false,
  create(input) {
    const sc = screen(input);
    return decide(sc, whiteoutException(input, sc) ?? roundRobin(input, sc));
  },
};
