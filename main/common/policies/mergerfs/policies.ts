/**
 * mergerfs' create policies (functions_categories_policies.md; policy_*.cpp). Each is a scope (which
 * branches qualify) and a selector (which of them wins), run through the shared create filter.
 */
import { availOf, decide, NOTHING, passedOver } from '../filters.ts';
import { leastFree, leastUsed, leastUsedShare, mostFree, newestCopy } from '../ranking.ts';
import { MERGERFS_CREATE_POLICY_NAMES, type MergerfsCreatePolicyName } from '../names.ts';
import type { CreatePolicy, PolicyInput, PolicyResult } from '../types.ts';
import { gather, type Scope } from './scope.ts';
import { every, first, ranked, type Selector, uniform, weighted } from './select.ts';

const free = (input: PolicyInput) => (b: number) => availOf(input, b);
const spaceOf = (input: PolicyInput) => (b: number) => input.branches[b].space ?? { avail: 0, used: 0 };

const byMostFree = ranked((input) => mostFree(free(input), 'lower'));
const byLeastFree = ranked((input) => leastFree(free(input)));
const byLeastUsed = ranked((input) => leastUsed((b) => spaceOf(input)(b).used));
const byLeastUsedShare = ranked((input) => leastUsedShare(spaceOf(input)));
const byNewest = ranked((input, at) => newestCopy((b) => input.probe.mtime(b, at) ?? -Infinity, at));

/** A policy still to be given its name by the table below. */
type Unnamed = (name: MergerfsCreatePolicyName) => CreatePolicy;

function policy(scope: Scope, select: Selector, summary: string): Unnamed {
  return (name) => ({
    name,
    family: 'mergerfs',
    summary,
    create(input: PolicyInput): PolicyResult {
      const g = gather(input, scope);
      if (g.candidates.length === 0) return decide(g, NOTHING);
      const sel = select(input, g.candidates, g.at);
      return decide(g, { ...sel, ...(g.note ? { note: g.note } : {}) });
    },
  });
}

const erofs: Unnamed = (name) => ({
  name,
  family: 'mergerfs',
  summary: 'Refuses every new entry with EROFS, making the union read-only for creates.',
  create: (input) => {
    const everyBranch = { candidates: input.branches.map((_, b) => b), excluded: [] };
    return decide(everyBranch, { picks: [], whyNot: passedOver('erofs refuses every new entry') }, 'EROFS');
  },
});

const POLICIES: Record<MergerfsCreatePolicyName, Unnamed> = {
  ff: policy('any', first, 'The first eligible branch in branch order.'),
  epff: policy('parent', first, 'The first eligible branch where the parent directory exists.'),
  all: policy('any', every, 'Every eligible branch for mkdir, mknod and symlink; the first one for files.'),
  epall: policy('parent', every, 'Every eligible branch holding the parent for mkdir, mknod and symlink; the first one for files.'),
  mfs: policy('any', byMostFree, 'The eligible branch with the most free space (ties go to the lower branch).'),
  epmfs: policy('parent', byMostFree, 'Most free space among branches where the parent directory exists (ties go to the lower branch).'),
  lfs: policy('any', byLeastFree, 'The eligible branch with the least free space (ties go to the lower branch).'),
  eplfs: policy('parent', byLeastFree, 'Least free space among branches where the parent directory exists (ties go to the lower branch).'),
  lus: policy('any', byLeastUsed, 'The eligible branch with the least used space (ties go to the upper branch).'),
  eplus: policy('parent', byLeastUsed, 'Least used space among branches where the parent directory exists (ties go to the upper branch).'),
  lup: policy('any', byLeastUsedShare, 'The eligible branch with the lowest percentage of its space used (ties go to the upper branch).'),
  pfrd: policy('any', weighted, "A random eligible branch, weighted by free space (mergerfs' default)."),
  eppfrd: policy('parent', weighted, 'A random branch holding the parent directory, weighted by free space.'),
  rand: policy('any', uniform, 'A uniformly random eligible branch.'),
  eprand: policy('parent', uniform, 'A uniformly random branch where the parent directory exists.'),
  mspmfs: policy('ancestors', byMostFree, 'Like epmfs, but when no branch has the parent, the nearest ancestor some branch has decides.'),
  msplfs: policy('ancestors', byLeastFree, 'Like eplfs, but when no branch has the parent, the nearest ancestor some branch has decides.'),
  msplus: policy('ancestors', byLeastUsed, 'Like eplus, but when no branch has the parent, the nearest ancestor some branch has decides.'),
  msppfrd: policy('ancestors', weighted, 'Like eppfrd, but when no branch has the parent, the nearest ancestor some branch has decides.'),
  newest: policy('parent', byNewest, 'The branch whose copy of the parent directory changed most recently (ties go to the lower branch).'),
  erofs,
};

export const MERGERFS_POLICIES: readonly CreatePolicy[] = MERGERFS_CREATE_POLICY_NAMES.map((name) => POLICIES[name](name));
