/**
 * What every create and copy-up policy shares: the per-branch filter (mergerfs' create filter plus Strata's
 * visibility barrier), the errno of a refusal, and the one-sentence reasons `strata preview` prints for
 * every branch that was not chosen.
 */
import type { BranchMode } from '../branch.ts';
import { formatSizePair } from '../sizes.ts';
import type { Exclusion, ExclusionReason, PolicyErrno, PolicyInput, PolicyResult } from './types.ts';

/** '/a/b' → '/a', '/a' → '/'. Paths are union-relative and normalized. */
export function parentOf(path: string): string {
  const cut = path.lastIndexOf('/');
  return cut <= 0 ? '/' : path.slice(0, cut);
}

/**
 * The lowest branch on which a new entry would still be visible: a whiteout of the name, or an opaque
 * ancestor, on branch b hides whatever lies below b. On b itself the entry shows (the whiteout is removed).
 */
export function barrierOf(input: PolicyInput): number | undefined {
  const marks = [input.whiteoutBranch, input.opaqueBranch].filter((b): b is number => b !== undefined);
  return marks.length > 0 ? Math.min(...marks) : undefined;
}

/** A path some policies need on a branch: mergerfs' ep/msp "path exists", aufs' "parent dir exists". */
export interface PathNeed {
  /** Names the path in a sentence: 'parent /x/y', 'ancestor /x'. */
  label: string;
  present(branch: number): boolean;
}

export function existsNeed(input: PolicyInput, path: string, label: string): PathNeed {
  return { label, present: (b) => input.probe.exists(b, path) };
}

export function dirNeed(input: PolicyInput, path: string): PathNeed {
  return { label: `parent ${path}`, present: (b) => input.probe.isDir(b, path) };
}

/** Branches that may take a new entry (ascending), and why each other one may not. */
export interface Screened {
  candidates: number[];
  excluded: Exclusion[];
}

const MODE_SENTENCE: Record<Exclude<BranchMode, 'rw'>, string> = {
  ro: 'is read-only (ro)',
  nc: 'takes no new entries (nc)',
};

/** What sits on the barrier branch, for sentences. */
export function barrierMark(input: PolicyInput, barrier: number): string {
  return barrier === input.whiteoutBranch ? `the whiteout of ${input.path}` : `an opaque ancestor of ${input.path}`;
}

/** Why branch `b` cannot take a new entry, or undefined when it can. The order is mergerfs' create filter. */
function refusal(input: PolicyInput, b: number, barrier: number | undefined, need?: PathNeed): Omit<Exclusion, 'branch'> | undefined {
  const br = input.branches[b];
  const at = `b${b}`;
  // First, so a hidden branch adds nothing to the errno: a refusal should say why the visible ones failed.
  if (barrier !== undefined && b > barrier) {
    return { reason: 'hidden', detail: `a new entry on ${at} would be hidden by ${barrierMark(input, barrier)} on b${barrier}` };
  }
  if (br.mode !== 'rw') return { reason: 'mode', detail: `${at} ${MODE_SENTENCE[br.mode]}` };
  if (br.blockedBy !== undefined) {
    return {
      reason: 'not-a-directory',
      detail: `${at}'s copy of ${br.blockedBy} is not a directory (a file or symlink), so nothing can be made under it there`,
    };
  }
  if (need && !need.present(b)) return { reason: 'no-parent', detail: `${need.label} does not exist on ${at}` };
  if (!br.space) return { reason: 'statfs-failed', detail: `${at}'s free space could not be read (statfs failed)` };
  if (br.mountedReadOnly) return { reason: 'mounted-ro', detail: `${at}'s filesystem is mounted read-only` };
  if (br.space.avail < br.minFreeSpace) {
    const [avail, min] = formatSizePair(br.space.avail, br.minFreeSpace);
    return { reason: 'no-space', detail: `${at} has ${avail} free, below its minimum of ${min}` };
  }
  return undefined;
}

export function screen(input: PolicyInput, need?: PathNeed): Screened {
  const barrier = barrierOf(input);
  const out: Screened = { candidates: [], excluded: [] };
  input.branches.forEach((_, b) => {
    const why = refusal(input, b, barrier, need);
    if (why) out.excluded.push({ branch: b, ...why });
    else out.candidates.push(b);
  });
  return out;
}

/** Free bytes of branch b; 0 where statfs failed (the filter has refused such a branch already). */
export function availOf(input: PolicyInput, b: number): number {
  return input.branches[b].space?.avail ?? 0;
}

const ERRNO_OF: Partial<Record<ExclusionReason, PolicyErrno>> = {
  mode: 'EROFS',
  'mounted-ro': 'EROFS',
  // As aufs: a branch that cannot hold the parent directory takes nothing, like a read-only one.
  'not-a-directory': 'EROFS',
  'no-space': 'ENOSPC',
  'no-parent': 'ENOENT',
  'statfs-failed': 'ENOENT',
};
const ERRNO_RANK: Record<PolicyErrno, number> = { ENOENT: 0, ENOSPC: 1, EROFS: 2 };

/**
 * mergerfs' policy::calc_error: EROFS beats ENOSPC beats ENOENT, whatever the branch order; 'hidden' and
 * 'not-chosen' carry no errno. `fallback` answers when no exclusion carries one (mergerfs starts from ENOENT).
 */
export function refusalErrno(excluded: readonly Exclusion[], fallback: PolicyErrno = 'ENOENT'): PolicyErrno {
  let errno: PolicyErrno | undefined;
  for (const e of excluded) {
    const own = ERRNO_OF[e.reason];
    if (own && (errno === undefined || ERRNO_RANK[own] > ERRNO_RANK[errno])) errno = own;
  }
  return errno ?? fallback;
}

/** What a policy picked among the candidates, and a sentence for each candidate it passed over. */
export interface Selection {
  picks: number[];
  whyNot(branch: number): string;
  note?: string;
}

export function passedOver(rule: string): (branch: number) => string {
  return (b) => `b${b} was passed over: ${rule}`;
}

/** One pick explained by `rule`, or, when `b` is undefined, none, with `otherwise` for every candidate. */
export function single(b: number | undefined, rule: (b: number) => string, otherwise: string): Selection {
  return b === undefined ? { picks: [], whyNot: passedOver(otherwise) } : { picks: [b], whyNot: passedOver(rule(b)) };
}

/** For policies that found no candidate at all: no candidate is left to explain. */
export const NOTHING: Selection = { picks: [], whyNot: passedOver('no branch can take the entry') };

/**
 * The result every policy returns: the picks, or a refusal (by default with mergerfs' errno precedence); in
 * both cases one exclusion per branch not picked, so `strata preview` can explain every branch.
 */
export function decide(sc: Screened, sel: Selection, errno = refusalErrno(sc.excluded)): PolicyResult {
  const passed = sc.candidates.filter((b) => !sel.picks.includes(b)).map((b): Exclusion => ({ branch: b, reason: 'not-chosen', detail: sel.whyNot(b) }));
  const excluded = [...sc.excluded, ...passed].sort((a, b) => a.branch - b.branch);
  if (sel.picks.length === 0) return { ok: false, errno, excluded };
  return { ok: true, branches: sel.picks, excluded, ...(sel.note ? { note: sel.note } : {}) };
}
