/**
 * Unions must not reach themselves through their branches. A worker serves a request by reading its
 * branches; a branch that overlaps a union's mountpoint makes that union serve part of the request, and
 * if that union's branches lead back, the request comes round to the first worker again: directly (a
 * branch inside the union's own mountpoint) or through others (A has B's mountpoint as a branch and B
 * has A's). The kernel then waits on itself and every union on the loop hangs. Kernel overlayfs refuses
 * overlapping layers with ELOOP for the same reason.
 *
 * A branch reaches a union when it is the union's mountpoint, lies inside it, or contains it (a listing
 * of the branch descends into the union). Paths are compared lexically, so callers pass normalized
 * absolute paths with symlinks already resolved where that is safe. Nesting without a way back (B has
 * a directory of A as a branch, A knows nothing of B) is fine.
 */
import { isSameOrInside } from './absolutePath.ts';
import { StrataError } from './errors.ts';
import { commandLine } from './shellQuote.ts';

/** Another mounted union: its branches, or why they could not be learned. */
export type MountedUnion = { mountpoint: string; branches: readonly string[] } | { mountpoint: string; unknown: string };

/** A branch of the union being checked: as the user gave it, and the path compared (symlinks resolved). */
export interface CheckedBranch {
  path: string;
  real: string;
}

export type BranchRelation = 'is' | 'inside' | 'contains';

/** One hop: `branch` (of the union before it on the way) reaches the union mounted on `union`. */
export interface LoopStep {
  branch: string;
  union: string;
  relation: BranchRelation;
}

/**
 * `loop`: the steps lead from a branch of the checked union back to it. `unknown`: they lead to a union
 * whose branches could not be learned, so a way back cannot be ruled out.
 */
export type UnionLoop = { kind: 'loop'; steps: LoopStep[] } | { kind: 'unknown'; steps: LoopStep[]; reason: string };

export function branchRelation(branch: string, mountpoint: string): BranchRelation | undefined {
  if (branch === mountpoint) return 'is';
  if (isSameOrInside(branch, mountpoint)) return 'inside';
  if (isSameOrInside(mountpoint, branch)) return 'contains';
  return undefined;
}

/** The mountpoints that some branch reaches: the unions whose branches the check needs next. */
export function unionsReached(branches: readonly string[], mountpoints: readonly string[]): string[] {
  return mountpoints.filter((m) => branches.some((b) => branchRelation(b, m) !== undefined));
}

/**
 * The shortest way from a branch of the union on `mountpoint` back to it (breadth first), or else the
 * first union in the way whose branches are unknown, or undefined when no branch leads back.
 */
export function findUnionLoop(mountpoint: string, branches: readonly string[], others: readonly MountedUnion[]): UnionLoop | undefined {
  const unions = new Map(others.filter((u) => u.mountpoint !== mountpoint).map((u) => [u.mountpoint, u]));
  const targets = [mountpoint, ...unions.keys()];
  const seen = new Set<string>();
  const queue: { branches: readonly string[]; steps: LoopStep[] }[] = [{ branches, steps: [] }];
  let unknown: UnionLoop | undefined;
  for (let next = queue.shift(); next; next = queue.shift()) {
    for (const branch of next.branches) {
      for (const union of targets) {
        const relation = branchRelation(branch, union);
        if (!relation) continue;
        const steps = [...next.steps, { branch, union, relation }];
        if (union === mountpoint) return { kind: 'loop', steps };
        if (seen.has(union)) continue;
        seen.add(union);
        const known = unions.get(union)!;
        if ('branches' in known) queue.push({ branches: known.branches, steps });
        else unknown ??= { kind: 'unknown', steps, reason: known.unknown };
      }
    }
  }
  return unknown;
}

const VERB: Record<BranchRelation, string> = { is: 'is', inside: 'lies in', contains: 'contains' };

function describeSteps(mountpoint: string, shownFirst: string, steps: readonly LoopStep[]): string {
  return steps
    .map((s, i) => {
      const subject = i === 0 ? `Branch ${shownFirst}` : `whose branch ${s.branch}`;
      const object = s.union === mountpoint ? `this union (${mountpoint})` : `the union ${s.union}`;
      return `${subject} ${VERB[s.relation]} ${object}`;
    })
    .join(', ');
}

/** The error for a loop found by findUnionLoop: it names every union on the way and the fix. */
export function unionLoopError(mountpoint: string, branches: readonly CheckedBranch[], loop: UnionLoop): StrataError {
  const given = branches.find((b) => b.real === loop.steps[0].branch);
  const shown = given && given.path !== given.real ? `${given.path} (→ ${given.real})` : loop.steps[0].branch;
  const removal = `remove ${given?.path ?? loop.steps[0].branch} from the branches`;
  const way = describeSteps(mountpoint, shown, loop.steps);
  if (loop.kind === 'unknown') {
    const last = loop.steps.at(-1)!.union;
    return new StrataError(
      'UNAVAILABLE',
      `${way}, whose branches could not be learned (${loop.reason}), so it may lead back to this union (${mountpoint}) and hang both: check it with strata list (${commandLine('strata', 'unmount', '--force', last)} clears a hung one) and try again, or ${removal}.`,
    );
  }
  if (loop.steps.length === 1) {
    return new StrataError('BRANCH_INVALID', `${way}: the union would read its own mount to serve it and hang; ${removal}.`);
  }
  return new StrataError('BRANCH_INVALID', `${way}: unions cannot contain each other (a request would go round them and hang); ${removal}.`);
}

/** Throws the loop's error, if the branches (symlinks resolved) lead back to the union on `mountpoint`. */
export function refuseUnionLoop(mountpoint: string, branches: readonly CheckedBranch[], others: readonly MountedUnion[]): void {
  const loop = findUnionLoop(
    mountpoint,
    branches.map((b) => b.real),
    others,
  );
  if (loop) throw unionLoopError(mountpoint, branches, loop);
}
