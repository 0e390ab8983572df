/**
 * Fake unions for policy tests: branches described by their mode, space and which paths they hold, turned
 * into the PolicyInput the engine would gather. Every result goes through `explainsEveryBranch`, the
 * contract `strata preview` relies on.
 */
import { expect } from 'vitest';
import type { BranchMode } from '../../../main/common/branch.ts';
import { parsePolicySetting, runCopyupPolicy, runCreatePolicy } from '../../../main/common/policies/registry.ts';
import type { CopyupPolicy, CreateFunction, ExclusionReason, PolicyInput, PolicyResult, PolicyState } from '../../../main/common/policies/types.ts';

export const GiB = 2 ** 30;

export interface FakeBranch {
  mode?: BranchMode;
  /** Free bytes (default 100 GiB). */
  avail?: number;
  used?: number;
  statfsFails?: boolean;
  mountedReadOnly?: boolean;
  /** The effective minimum free space (default 0). */
  minFree?: number;
  /** Directories on the branch; their ancestors are implied, and '/' is always there. */
  dirs?: string[];
  /** Non-directories on the branch (their ancestors are implied). */
  files?: string[];
  /** mtime in seconds per path (default 0 for a present path). */
  mtimes?: Record<string, number>;
}

export interface FakeOptions {
  /** The new entry, or the entry to copy up (default '/f', whose parent '/' is on every branch). */
  path?: string;
  fn?: CreateFunction;
  whiteout?: number;
  opaque?: number;
  source?: number;
  now?: number;
  random?: () => number;
  state?: PolicyState;
}

function ancestors(path: string): string[] {
  const out = ['/'];
  let cur = '';
  for (const part of path.split('/').filter(Boolean)) out.push((cur += `/${part}`));
  return out;
}

export function fakeInput(branches: FakeBranch[], o: FakeOptions = {}): PolicyInput {
  const dirs = branches.map((b) => {
    const all = [...(b.dirs ?? []), ...(b.files ?? [])].flatMap(ancestors);
    return new Set(['/', ...all.filter((p) => !(b.files ?? []).includes(p))]);
  });
  const isDir = (b: number, p: string) => dirs[b]?.has(p) ?? false;
  const exists = (b: number, p: string) => isDir(b, p) || (branches[b]?.files ?? []).includes(p);
  return {
    branches: branches.map((b, index) => ({
      index,
      mode: b.mode ?? 'rw',
      mountedReadOnly: b.mountedReadOnly ?? false,
      space: b.statfsFails ? null : { avail: b.avail ?? 100 * GiB, used: b.used ?? 0 },
      minFreeSpace: b.minFree ?? 0,
    })),
    path: o.path ?? '/f',
    fn: o.fn ?? 'create',
    probe: { isDir, exists, mtime: (b, p) => (exists(b, p) ? (branches[b].mtimes?.[p] ?? 0) : undefined) },
    whiteoutBranch: o.whiteout,
    opaqueBranch: o.opaque,
    sourceBranch: o.source,
    now: o.now ?? 1_700_000_000_000,
    random: o.random ?? (() => 0),
    state: o.state ?? {},
  };
}

/** Every branch not chosen is explained exactly once, and no chosen branch is. */
export function explainsEveryBranch(r: PolicyResult, n: number): void {
  const picked = r.ok ? r.branches : [];
  const explained = r.excluded.map((e) => e.branch);
  expect(new Set(explained).size).toBe(explained.length);
  expect([...picked, ...explained].sort((a, b) => a - b)).toEqual([...Array(n).keys()]);
  for (const e of r.excluded) expect(e.detail).toMatch(new RegExp(`\\bb${e.branch}\\b`));
}

export function create(setting: string, branches: FakeBranch[], o: FakeOptions = {}): PolicyResult {
  const r = runCreatePolicy(parsePolicySetting(setting), fakeInput(branches, o));
  explainsEveryBranch(r, branches.length);
  return r;
}

export function copyup(name: CopyupPolicy['name'], branches: FakeBranch[], o: FakeOptions): PolicyResult {
  const r = runCopyupPolicy(name, fakeInput(branches, o));
  explainsEveryBranch(r, branches.length);
  return r;
}

/** How often each branch is chosen over `draws` runs (no per-run checks, so large counts stay fast). */
export function tally(setting: string, branches: FakeBranch[], o: FakeOptions, draws: number): number[] {
  const parsed = parsePolicySetting(setting);
  const input = fakeInput(branches, o);
  const counts = branches.map(() => 0);
  for (let i = 0; i < draws; i++) {
    const r = runCreatePolicy(parsed, input);
    if (r.ok) counts[r.branches[0]]++;
  }
  return counts;
}

/** The chosen branches, or the errno of a refusal. */
export function outcome(r: PolicyResult): number[] | string {
  return r.ok ? r.branches : r.errno;
}

export function reasonOf(r: PolicyResult, branch: number): ExclusionReason | undefined {
  return r.excluded.find((e) => e.branch === branch)?.reason;
}

export function detailOf(r: PolicyResult, branch: number): string | undefined {
  return r.excluded.find((e) => e.branch === branch)?.detail;
}

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
