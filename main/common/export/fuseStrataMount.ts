/** A `fuse.strata` mount as fstab, systemd and mount.fuse3 describe it: SOURCE, MOUNTPOINT, OPTIONS. */
import type { UnionConfig } from '../contract.ts';
import { StrataError } from '../errors.ts';
import { buildUnionConfig } from '../unionConfig.ts';
import { splitBranchSource } from './branchSource.ts';
import { parseMountOptions, type MountOptionSet } from './mountOptions.ts';

export const FUSE_STRATA_TYPE = 'fuse.strata';

export interface FuseStrataMount {
  /** As written (the branch list), which is also the mount's source in mountinfo. */
  source: string;
  config: UnionConfig;
  options: MountOptionSet;
}

/** The union a `fuse.strata` entry describes; `mountpoint` must be absolute. Throws on any bad part. */
export function fuseStrataMount(source: string, mountpoint: string, optionText: string): FuseStrataMount {
  if (source.trim() === '') {
    throw new StrataError('BRANCH_INVALID', 'The fuse.strata source is empty: give the branches there, top first, e.g. /srv/a=rw:/srv/b=ro.');
  }
  const options = parseMountOptions(optionText);
  return { source, config: buildUnionConfig(mountpoint, splitBranchSource(source), options.union), options };
}
