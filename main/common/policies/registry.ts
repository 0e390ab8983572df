/**
 * The one entry point to placement policies: parse a setting, list what exists, run a create or copy-up
 * policy against a PolicyInput.
 *
 * Strata-wide rules, applied by every create AND copy-up policy through filters.ts, in this order:
 *  1. Visibility barrier: nothing below min(whiteoutBranch, opaqueBranch) ('hidden'): a new entry there
 *     would stay hidden. A hidden branch adds nothing to the errno.
 *  2. Branch mode: only `rw` is a target. `ro` never; `nc` takes no new entries, and a copy-up makes a
 *     new entry, so `nc` is no copy-up target either ('mode', EROFS).
 *  3. ep*, msp* and newest need their path on the branch (mergerfs: it exists); aufs tdp and pmfs, when
 *     they have to, ask whether the parent is a directory there ('no-parent', ENOENT).
 *  4. statfs failed on the branch root ('statfs-failed', ENOENT, as in mergerfs).
 *  5. The branch's filesystem is mounted read-only ('mounted-ro', EROFS).
 *  6. Free space below BranchState.minFreeSpace, for aufs policies and copy-up too ('no-space', ENOSPC).
 * Where aufs tests "writable", Strata tests this whole filter. A refusal's errno follows mergerfs:
 * EROFS > ENOSPC > ENOENT. Every result lists each branch not chosen with one sentence.
 *
 * aufs state (the rr counter, the mfs hold) lives in PolicyInput.state and the hold is timed with
 * PolicyInput.now; random policies draw only from PolicyInput.random.
 */
import { StrataError } from '../errors.ts';
import { COPYUP_POLICY_INFO, CREATE_POLICY_INFO, type PolicyInfo } from './catalog.ts';
import { COPYUP_POLICIES } from './copyup.ts';
import { formatPolicySetting, parsePolicySetting, policyForSetting } from './setting.ts';
import type { CopyupPolicy, PolicyInput, PolicyResult, PolicySetting } from './types.ts';

export { formatPolicySetting, parsePolicySetting };
export type { PolicyInfo };

export function listCreatePolicies(): PolicyInfo[] {
  return [...CREATE_POLICY_INFO];
}

export function listCopyupPolicies(): PolicyInfo[] {
  return [...COPYUP_POLICY_INFO];
}

export function runCreatePolicy(setting: PolicySetting, input: PolicyInput): PolicyResult {
  return policyForSetting(setting).create(input);
}

export function runCopyupPolicy(name: CopyupPolicy['name'], input: PolicyInput): PolicyResult {
  const policy = COPYUP_POLICIES.find((p) => p.name === name);
  if (!policy) throw new StrataError('POLICY_INVALID', `unknown copy-up policy '${name}'; valid: ${COPYUP_POLICIES.map((p) => p.name).join(', ')}`);
  return policy.copyup(input);
}
