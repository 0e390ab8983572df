/** The shape of an aufs create policy: `name[:LOW][:SEC]`, as aufs' opts.c parses `create=`. */
import type { AufsCreatePolicyName } from '../names.ts';
import type { CreatePolicy, PolicyInput, PolicyResult } from '../types.ts';

/** aufs' default hold time for the most-free-space choice (`mfs_expire`). */
export const DEFAULT_MFS_SECONDS = 30;
export const MAX_MFS_SECONDS = 3600;

export interface AufsArgs {
  /** Free-space watermark in bytes (mfsrr, tdmfs, pmfsrr). */
  low: number;
  /** How long the most-free-space choice is held. */
  seconds: number;
}

/** `N` ties a policy to its name, so the catalog's table cannot file it under another. */
export interface AufsCreatePolicy<N extends AufsCreatePolicyName = AufsCreatePolicyName> {
  name: N;
  aliases: readonly string[];
  summary: string;
  /** LOW is required when taken; SEC is always optional. */
  takesLow: boolean;
  takesSeconds: boolean;
  create(input: PolicyInput, args: AufsArgs): PolicyResult;
}

/** The contract's CreatePolicy for an aufs policy and its arguments. */
export function bindAufs(p: AufsCreatePolicy, args: AufsArgs): CreatePolicy {
  return { name: p.name, family: 'aufs', summary: p.summary, create: (input) => p.create(input, args) };
}
