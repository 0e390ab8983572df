/**
 * Where a new entry goes (create policy) and where a copy-up lands (copy-up policy). The same function
 * answers `strata preview`, with a copy of the policy state so a preview never advances round-robin.
 */
import { dirname } from 'node:path';
import type { UnionConfig } from '../../common/contract.ts';
import { parsePolicySetting, runCopyupPolicy, runCreatePolicy } from '../../common/policies/registry.ts';
import type { BranchState, CreateFunction, PolicyInput, PolicyResult, PolicyState } from '../../common/policies/types.ts';
import { BatchPaths, type StatBatch } from '../sys/statBatch.ts';
import type { Statvfs, Syscalls } from '../sys/syscalls.ts';
import type { Branch } from './branchSet.ts';
import { type PathFacts, askFacts, chain, readFacts } from './facts.ts';

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

function branchState(deps: PlacementDeps, b: Branch, index: number, v: Statvfs | null): BranchState {
  const minFreeSpace = b.minFreeSpace ?? deps.config.minFreeSpace;
  if (!v) return { index, mode: b.mode, minFreeSpace, mountedReadOnly: false, space: null };
  const frsize = BigInt(v.frsize || v.bsize);
  return {
    index,
    mode: b.mode,
    minFreeSpace,
    mountedReadOnly: (v.flag & ST_RDONLY) !== 0,
    space: { avail: Number(v.bavail * frsize), used: Number((v.blocks - v.bavail) * frsize) },
  };
}

type InputReader = (batch: StatBatch, fn: CreateFunction, sourceBranch?: number) => { input: PolicyInput; facts: PathFacts };

/** What a policy needs to know (the facts' lstats, every branch's statvfs), added to `paths`; read back once asked. */
function askPolicyInput(deps: PlacementDeps, rel: string, paths: BatchPaths): InputReader {
  const q = askFacts(deps.branches, rel, paths);
  const roots = deps.branches.map((b) => paths.addRoot(b.fd));
  return (batch, fn, sourceBranch) => {
    const facts = readFacts(q, batch);
    const branches = deps.branches.map((b, i) => branchState(deps, b, i, batch.statvfs(roots[i])));
    return {
      facts,
      input: {
        branches: branches.map((b) => {
          const at = facts.blocked.get(b.index);
          return at === undefined ? b : { ...b, blockedBy: at };
        }),
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
  };
}

/** One pool job for all of it (native/sys lstatBatch). */
async function policyInput(deps: PlacementDeps, rel: string, fn: CreateFunction, sourceBranch?: number): Promise<{ input: PolicyInput; facts: PathFacts }> {
  const paths = new BatchPaths();
  const read = askPolicyInput(deps, rel, paths);
  return read(await paths.ask(deps.sys), fn, sourceBranch);
}

/** Ancestors of `rel` that are not directories on branch `b`. */
export function missingOn(facts: PathFacts, rel: string, b: number): string[] {
  return chain(dirname(rel)).filter((p) => p !== '/' && !facts.probe.isDir(b, p));
}

const missingParents = (facts: PathFacts, rel: string, result: PolicyResult) => (result.ok ? missingOn(facts, rel, result.branches[0]) : []);

export function createSettingFor(config: UnionConfig, fn: CreateFunction): string {
  return config.createOverrides[fn] ?? config.create;
}

export async function placeNew(deps: PlacementDeps, rel: string, fn: CreateFunction): Promise<Placement> {
  const paths = new BatchPaths();
  const place = askPlaceNew(deps, rel, fn, paths);
  return place(await paths.ask(deps.sys));
}

/**
 * placeNew in two steps, so a caller can ask its own questions in the same pool job: the placement's
 * questions go into `paths`, and the returned function runs the policy (advancing its state) over the
 * answers. A create asks meanwhile whether the name is free, and runs the policy only if it is.
 */
export function askPlaceNew(deps: PlacementDeps, rel: string, fn: CreateFunction, paths: BatchPaths): (batch: StatBatch) => Placement {
  const read = askPolicyInput(deps, rel, paths);
  return (batch) => {
    const policy = createSettingFor(deps.config, fn);
    const { input, facts } = read(batch, fn);
    const result = runCreatePolicy(parsePolicySetting(policy), input);
    return { result, policy, missingParents: missingParents(facts, rel, result), facts };
  };
}

export async function placeCopyup(deps: PlacementDeps, rel: string, sourceBranch: number): Promise<Placement> {
  const { input, facts } = await policyInput(deps, rel, 'create', sourceBranch);
  const result = runCopyupPolicy(deps.config.copyup, input);
  return { result, policy: deps.config.copyup, missingParents: missingParents(facts, rel, result), facts };
}

/** `exclude`: a branch the policy may not pick (moveonenospc never moves a file onto its own branch). */
export async function placeWithPolicy(deps: PlacementDeps, rel: string, policy: string, exclude?: number): Promise<Placement> {
  const { input, facts } = await policyInput(deps, rel, 'create');
  input.branches = input.branches.map((b) => (b.index === exclude ? { ...b, mode: 'ro' as const } : b));
  const result = runCreatePolicy(parsePolicySetting(policy), input);
  return { result, policy, missingParents: missingParents(facts, rel, result), facts };
}
