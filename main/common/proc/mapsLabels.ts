/** The words the CLI and the UI both use for a mapped-files entry: how it is held, which branch serves it. */
import { branchName } from '../branchNames.ts';
import type { MappedEntry } from '../maps.ts';

/** "branch 2", "one of branch 1 (top), branch 2", "unknown". */
export function servingBranch(e: Pick<MappedEntry, 'branch' | 'branchCandidates'>): string {
  if (e.branch !== null) return branchName(e.branch);
  if (e.branchCandidates?.length) return `one of ${e.branchCandidates.map(branchName).join(', ')}`;
  return 'unknown';
}

/** "direct, shadowed", "deleted": what is unusual about how the file is reached; '' when nothing is. */
export function accessFlags(e: Pick<MappedEntry, 'deleted' | 'direct' | 'directState'>): string {
  return [e.deleted ? 'deleted' : '', e.direct ? `direct${e.directState ? `, ${e.directState}` : ''}` : ''].filter(Boolean).join(', ');
}
