/** Every create and copy-up policy, and what the CLI and the app's picker show about each. */
import { mfs, mfsrr } from './aufs/mfs.ts';
import { pmfs, pmfsrr } from './aufs/pmfs.ts';
import { type AufsCreatePolicy, bindAufs, DEFAULT_MFS_SECONDS, MAX_MFS_SECONDS } from './aufs/policy.ts';
import { rr } from './aufs/rr.ts';
import { tdmfs } from './aufs/tdmfs.ts';
import { tdp } from './aufs/tdp.ts';
import { COPYUP_POLICIES } from './copyup.ts';
import { MERGERFS_POLICIES } from './mergerfs/policies.ts';
import { AUFS_CREATE_POLICY_NAMES, type AufsCreatePolicyName } from './names.ts';
import type { CreatePolicy } from './types.ts';

const AUFS: { [N in AufsCreatePolicyName]: AufsCreatePolicy<N> } = { tdp, rr, mfs, mfsrr, tdmfs, pmfs, pmfsrr };
const AUFS_POLICIES: readonly AufsCreatePolicy[] = AUFS_CREATE_POLICY_NAMES.map((name) => AUFS[name]);

export interface PolicyInfo {
  name: string;
  family: 'aufs' | 'mergerfs';
  /** How to write it: 'mfsrr:LOW[:SEC]', 'epmfs'. */
  form: string;
  /** What the arguments mean; '' when there are none. */
  args: string;
  /** One sentence. */
  summary: string;
  /** Other accepted names ('top-down-parent'). */
  aliases: readonly string[];
}

export function findMergerfs(name: string) {
  return MERGERFS_POLICIES.find((p) => p.name === name);
}

export function findAufs(name: string) {
  return AUFS_POLICIES.find((p) => p.name === name || p.aliases.includes(name));
}

/** Plain `mfs` is mergerfs' policy, so aufs' needs its seconds, or the `aufs:` prefix, to be named. */
export const clashesWithMergerfs = (p: AufsCreatePolicy) => findMergerfs(p.name) !== undefined;

export function aufsForm(p: AufsCreatePolicy): string {
  if (clashesWithMergerfs(p)) return `${p.name}:SEC`;
  return p.name + (p.takesLow ? ':LOW' : '') + (p.takesSeconds ? '[:SEC]' : '');
}

function aufsArgs(p: AufsCreatePolicy): string {
  const parts = [];
  if (p.takesLow) parts.push('LOW: free-space watermark in bytes (suffixes K, M, G, T allowed)');
  if (p.takesSeconds) parts.push(`SEC: seconds to hold the most-free-space choice, 0-${MAX_MFS_SECONDS} (default ${DEFAULT_MFS_SECONDS})`);
  if (clashesWithMergerfs(p)) parts.push(`plain ${p.name} is mergerfs' policy; aufs:${p.name} holds for ${DEFAULT_MFS_SECONDS} s`);
  return parts.join('; ');
}

function info(p: CreatePolicy, form: string, args: string, aliases: readonly string[]): PolicyInfo {
  return { name: p.name, family: p.family, form, args, summary: p.summary, aliases };
}

export const CREATE_POLICY_INFO: readonly PolicyInfo[] = [
  ...AUFS_POLICIES.map((p) => info(bindAufs(p, { low: 0, seconds: DEFAULT_MFS_SECONDS }), aufsForm(p), aufsArgs(p), p.aliases)),
  ...MERGERFS_POLICIES.map((p) => info(p, p.name, '', [])),
];

// unionConfig accepts only the short names for copy-up, so no aliases are listed.
export const COPYUP_POLICY_INFO: readonly PolicyInfo[] = COPYUP_POLICIES.map((p) => ({
  name: p.name,
  family: 'aufs',
  form: p.name,
  args: '',
  summary: p.summary,
  aliases: [],
}));
