/**
 * Where a new entry goes (create policy) and where a copy-up lands (copy-up policy). The same function
 * answers `strata preview`, with a copy of the policy state so a preview never advances round-robin.
 */
import { dirname } from 'node:path';
import type { UnionConfig } from '../../common/contract.ts';
import { parsePolicySetting, runCopyupPolicy, runCreatePolicy } from '../../common/policies/registry.ts';
import type { BranchState, CreateFunction, PolicyInput, PolicyResult, PolicyState } from '../../common/policies/types.ts';
import type { Syscalls } from '../sys/syscalls.ts';
import type { Branch } from './branchSet.ts';
import { type PathFacts, chain, gatherFacts } from './facts.ts';

const ST_RDONLY = 1;

export interface Placement {
  result: PolicyResult;
  /** Setting text that decided. */
  policy: string;
  /** Ancestors of the path missing on the chosen branch (created before the entry). */
  missingParents: string[];
  /** What the policy was given: which branches hold the path, its ancestors and whiteouts. */
  facts: PathFacts;
}

export interface PlacementDeps {
  sys: Syscalls;
  branches: Branch[];
  config: UnionConfig;
  state: PolicyState;
  now: () => number;
  random: () => number;
}

async function branchStates(deps: PlacementDeps): Promise<BranchState[]> {
  return Promise.all(deps.branches.map(async (b, index): Promise<BranchState> => {
    const minFreeSpace = b.minFreeSpace ?? deps.config.minFreeSpace;
    try {
      const v = await deps.sys.statvfs(b.root);
      const frsize = BigInt(v.frsize || v.bsize);
      return {
        index, mode: b.mode, minFreeSpace,
        mountedReadOnly: (v.flag & ST_RDONLY) !== 0,
        space: { avail: Number(v.bavail * frsize), used: Number((v.blocks - v.bavail) * frsize) },
      };
    } catch {
      return { index, mode: b.mode, minFreeSpace, mountedReadOnly: false, space: null };
    }
  }));
}

async function policyInput(deps: PlacementDeps, rel: string, fn: CreateFunction, sourceBranch?: number): Promise<{ input: PolicyInput; facts: PathFacts }> {
  const [branches, facts] = await Promise.all([branchStates(deps), gatherFacts(deps.branches, rel)]);
  return {
    facts,
    input: {
      branches: branches.map((b) => (facts.blocked.has(b.index) ? { ...b, mode: 'ro' as const } : b)),
      path: rel,
      fn,
      probe: facts.probe,
      whiteoutBranch: facts.whiteoutBranch,
      opaqueBranch: facts.opaqueBranch,
      sourceBranch,
      now: deps.now(),
      random: deps.random,
      state: deps.state,
    },
  };
}

/** Ancestors of `rel` that are not directories on branch `b`. */
export function missingOn(facts: PathFacts, rel: string, b: number): string[] {
  return chain(dirname(rel)).filter((p) => p !== '/' && !facts.probe.isDir(b, p));
}

const missingParents = (facts: PathFacts, rel: string, result: PolicyResult) => (result.ok ? missingOn(facts, rel, result.branches[0]) : []);

export function createSettingFor(config: UnionConfig, fn: CreateFunction): string {
  return config.createOverrides[fn] ?? config.create;
}

/**
 * `guard` runs alongside the gathering of facts and must succeed before the policy runs (and advances
 * its state): a create checks meanwhile that the name is free.
 */
export async function placeNew(deps: PlacementDeps, rel: string, fn: CreateFunction, guard?: Promise<void>): Promise<Placement> {
  const policy = createSettingFor(deps.config, fn);
  const [{ input, facts }] = await Promise.all([policyInput(deps, rel, fn), guard]);
  const result = runCreatePolicy(parsePolicySetting(policy), input);
  return { result, policy, missingParents: missingParents(facts, rel, result), facts };
}

export async function placeCopyup(deps: PlacementDeps, rel: string, sourceBranch: number): Promise<Placement> {
  const { input, facts } = await policyInput(deps, rel, 'create', sourceBranch);
  const result = runCopyupPolicy(deps.config.copyup, input);
  return { result, policy: deps.config.copyup, missingParents: missingParents(facts, rel, result), facts };
}

export async function placeWithPolicy(deps: PlacementDeps, rel: string, policy: string): Promise<Placement> {
  const { input, facts } = await policyInput(deps, rel, 'create');
  const result = runCreatePolicy(parsePolicySetting(policy), input);
  return { result, policy, missingParents: missingParents(facts, rel, result), facts };
}
