/**
 * aufs copy-up policies (`cpup=`, au_wbr_copyup_*): where an entry on a branch that cannot be changed is
 * copied before the change. `input.sourceBranch` is aufs' btop (the topmost branch holding the entry).
 * The copy is a new entry on the target, so targets pass the same filter as a create: never ro or nc,
 * never below the visibility barrier, and minimum free space is honoured.
 */
import { StrataError } from '../errors.ts';
import { topDownParent } from './aufs/tdp.ts';
import { nearestUpTo, parentHolders } from './aufs/walk.ts';
import { decide, parentOf, passedOver, refusalErrno, screen, type Screened, type Selection, single } from './filters.ts';
import { COPYUP_POLICY_NAMES, type CopyupPolicyName } from './names.ts';
import type { CopyupPolicy, PolicyInput } from './types.ts';

/** What makes one copy-up policy; its name is its key in the table below. */
interface CopyupRule {
  summary: string;
  pick(input: PolicyInput, sc: Screened, src: number): Selection;
}

function copyupPolicy(name: CopyupPolicyName, { summary, pick }: CopyupRule): CopyupPolicy {
  return {
    name,
    summary,
    copyup(input) {
      if (input.sourceBranch === undefined) throw new StrataError('INTERNAL', `copy-up of ${input.path} was asked without its source branch`);
      const src = input.sourceBranch;
      const sc = screen(input);
      // The source's own refusal (read-only) is why a copy-up happens, not why it failed: the errno comes
      // from the other branches, and with nothing to blame there it is EROFS, as in aufs.
      return decide(
        sc,
        pick(input, sc, src),
        refusalErrno(
          sc.excluded.filter((e) => e.branch !== src),
          'EROFS',
        ),
      );
    },
  };
}

const RULES: Record<CopyupPolicyName, CopyupRule> = {
  tdp: {
    summary: 'The source branch if it can take the copy, else the highest eligible branch above it with the parent, else the nearest one above it.',
    pick: (input, sc, src) => topDownParent(input, sc, src, 'the source branch'),
  },
  bup: {
    summary: "The nearest eligible branch at or above the source holding the parent directory, else the nearest one above the parent's top branch.",
    pick: (input, sc, src) => {
      const parent = parentOf(input.path);
      const holders = parentHolders(input);
      const top = holders[0] ?? src;
      const holder = nearestUpTo(
        sc.candidates.filter((b) => holders.includes(b)),
        src,
      );
      if (holder !== undefined) {
        return {
          picks: [holder],
          whyNot: passedOver(`bup takes b${holder}, the nearest eligible branch at or above the source b${src} with parent ${parent}`),
        };
      }
      return single(
        nearestUpTo(sc.candidates, top - 1),
        (up) => `no eligible branch from b${src} up to b${top} has parent ${parent}, so bup takes the nearest one above b${top}, b${up}`,
        `bup takes only a branch at or above the source b${src} with parent ${parent}, or one above b${top}`,
      );
    },
  },
  bu: {
    summary: 'The nearest eligible branch at or above the source, whether or not it has the parent directory.',
    pick: (_input, sc, src) =>
      single(
        nearestUpTo(sc.candidates, src),
        (up) => `bu takes the nearest eligible branch at or above the source b${src}, b${up}`,
        `bu never goes below the source b${src}`,
      ),
  },
};

export const COPYUP_POLICIES: readonly CopyupPolicy[] = COPYUP_POLICY_NAMES.map((name) => copyupPolicy(name, RULES[name]));
