/**
 * mergerfs' create policies (functions_categories_policies.md; policy_*.cpp). Each is a scope (which
 * branches qualify) and a selector (which of them wins), run through the shared create filter.
 */
import { availOf, decide, NOTHING, passedOver } from '../filters.ts';
import { leastFree, leastUsed, leastUsedShare, mostFree, newestCopy } from '../ranking.ts';
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

function policy(name: string, scope: Scope, select: Selector, summary: string): CreatePolicy {
  return {
    name,
    family: 'mergerfs',
    summary,
    create(input: PolicyInput): PolicyResult {
      const g = gather(input, scope);
      if (g.candidates.length === 0) return decide(g, NOTHING);
      const sel = select(input, g.candidates, g.at);
      return decide(g, { ...sel, ...(g.note ? { note: g.note } : {}) });
    },
  };
}

const erofs: CreatePolicy = {
  name: 'erofs',
  family: 'mergerfs',
  summary: 'Refuses every new entry with EROFS, making the union read-only for creates.',
  create: (input) => {
    const everyBranch = { candidates: input.branches.map((_, b) => b), excluded: [] };
    return decide(everyBranch, { picks: [], whyNot: passedOver('erofs refuses every new entry') }, 'EROFS');
  },
};

export const MERGERFS_POLICIES: readonly CreatePolicy[] = [
  policy('ff', 'any', first, 'The first eligible branch in branch order.'),
  policy('epff', 'parent', first, 'The first eligible branch where the parent directory exists.'),
  policy('all', 'any', every, 'Every eligible branch for mkdir, mknod and symlink; the first one for files.'),
  policy('epall', 'parent', every, 'Every eligible branch holding the parent for mkdir, mknod and symlink; the first one for files.'),
  policy('mfs', 'any', byMostFree, 'The eligible branch with the most free space (ties go to the lower branch).'),
  policy('epmfs', 'parent', byMostFree, 'Most free space among branches where the parent directory exists (ties go to the lower branch).'),
  policy('lfs', 'any', byLeastFree, 'The eligible branch with the least free space (ties go to the lower branch).'),
  policy('eplfs', 'parent', byLeastFree, 'Least free space among branches where the parent directory exists (ties go to the lower branch).'),
  policy('lus', 'any', byLeastUsed, 'The eligible branch with the least used space (ties go to the upper branch).'),
  policy('eplus', 'parent', byLeastUsed, 'Least used space among branches where the parent directory exists (ties go to the upper branch).'),
  policy('lup', 'any', byLeastUsedShare, 'The eligible branch with the lowest percentage of its space used (ties go to the upper branch).'),
  policy('pfrd', 'any', weighted, 'A random eligible branch, weighted by free space (mergerfs\' default).'),
  policy('eppfrd', 'parent', weighted, 'A random branch holding the parent directory, weighted by free space.'),
  policy('rand', 'any', uniform, 'A uniformly random eligible branch.'),
  policy('eprand', 'parent', uniform, 'A uniformly random branch where the parent directory exists.'),
  policy('mspmfs', 'ancestors', byMostFree, 'Like epmfs, but when no branch has the parent, the nearest ancestor some branch has decides.'),
  policy('msplfs', 'ancestors', byLeastFree, 'Like eplfs, but when no branch has the parent, the nearest ancestor some branch has decides.'),
  policy('msplus', 'ancestors', byLeastUsed, 'Like eplus, but when no branch has the parent, the nearest ancestor some branch has decides.'),
  policy('msppfrd', 'ancestors', weighted, 'Like eppfrd, but when no branch has the parent, the nearest ancestor some branch has decides.'),
  policy('newest', 'parent', byNewest, 'The branch whose copy of the parent directory changed most recently (ties go to the lower branch).'),
  erofs,
];
