/**
 * Every policy name, declared once, in the order Strata lists them. The implementations are tables keyed
 * by these names (a policy missing or extra is a type error); the contract's types, the validators, the
 * CLI's help and the app's pickers derive from them.
 */

/** aufs create policies (`create=`), by their short names; aliases live with each policy. */
export const AUFS_CREATE_POLICY_NAMES = ['tdp', 'rr', 'mfs', 'mfsrr', 'tdmfs', 'pmfs', 'pmfsrr'] as const;

/** mergerfs create policies (`category.create=`). */
export const MERGERFS_CREATE_POLICY_NAMES = [
  'ff',
  'epff',
  'all',
  'epall',
  'mfs',
  'epmfs',
  'lfs',
  'eplfs',
  'lus',
  'eplus',
  'lup',
  'pfrd',
  'eppfrd',
  'rand',
  'eprand',
  'mspmfs',
  'msplfs',
  'msplus',
  'msppfrd',
  'newest',
  'erofs',
] as const;

/** aufs copy-up policies (`cpup=`); Strata accepts only the short names. */
export const COPYUP_POLICY_NAMES = ['tdp', 'bup', 'bu'] as const;

export type AufsCreatePolicyName = (typeof AUFS_CREATE_POLICY_NAMES)[number];
export type MergerfsCreatePolicyName = (typeof MERGERFS_CREATE_POLICY_NAMES)[number];
export type CreatePolicyName = AufsCreatePolicyName | MergerfsCreatePolicyName;
export type CopyupPolicyName = (typeof COPYUP_POLICY_NAMES)[number];

export function isCopyupPolicyName(value: unknown): value is CopyupPolicyName {
  return (COPYUP_POLICY_NAMES as readonly unknown[]).includes(value);
}
