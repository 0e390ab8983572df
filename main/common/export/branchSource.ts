/**
 * The fstab source field of a Strata union: its branches, top first, separated by ':' as in mergerfs,
 * e.g. `/srv/a=rw:/srv/b=ro,minfree=10G`. A ':' or '\' inside a branch path is written `\:` or `\\`
 * (mergerfs has no escape; Strata's makes every directory name usable). fstab's own octal escapes
 * (`\040` for a space) are undone by mount(8) before this text is seen.
 */
import type { BranchSpec } from '../branch.ts';
import { StrataError } from '../errors.ts';
import { formatSizeExact } from '../sizes.ts';

export function splitBranchSource(source: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < source.length; i++) {
    const c = source[i];
    if (c === '\\' && (source[i + 1] === ':' || source[i + 1] === '\\')) current += source[++i];
    else if (c === ':') {
      out.push(current);
      current = '';
    } else current += c;
  }
  out.push(current);
  if (out.some((spec) => spec === '')) {
    throw new StrataError(
      'BRANCH_INVALID',
      `Empty branch in '${source}': separate branches with one ':', e.g. /srv/a=rw:/srv/b=ro (write a ':' inside a path as \\:).`,
    );
  }
  return out;
}

/** One branch as `DIR=MODE[,minfree=SIZE]`, the form `--branch` and the source field both take. */
export function formatBranchSpec(branch: BranchSpec): string {
  const minfree = branch.minFreeSpace === undefined ? '' : `,minfree=${formatSizeExact(branch.minFreeSpace)}`;
  return `${branch.path}=${branch.mode}${minfree}`;
}

export function formatBranchSource(branches: readonly BranchSpec[]): string {
  return branches.map((b) => formatBranchSpec(b).replace(/[\\:]/g, (c) => `\\${c}`)).join(':');
}
