/** One /etc/fstab line for a union, and back (fstab(5): fields escape whitespace and '\' as octal). */
import type { UnionConfig } from '../contract.ts';
import { StrataError } from '../errors.ts';
import { formatBranchSource } from './branchSource.ts';
import { FUSE_STRATA_TYPE, fuseStrataMount, type FuseStrataMount } from './fuseStrataMount.ts';
import { formatMountOptions } from './mountOptions.ts';

/** A root-run union serves every user, and a missing branch disk must not stop the boot. */
export const FSTAB_EXTRA_OPTIONS = ['allow_other', 'nofail'];

// Only a backslash that would read as an octal escape needs one itself; `\:` stays readable.
const escapeField = (text: string) => text.replace(/[ \t\n]|\\(?=[0-7]{3})/g, (c) => `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`);
const unescapeField = (text: string) => text.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));

export function formatFstabLine(config: UnionConfig): string {
  const options = formatMountOptions(config, FSTAB_EXTRA_OPTIONS);
  return [formatBranchSource(config.branches), config.mountpoint, FUSE_STRATA_TYPE, options, '0', '0'].map(escapeField).join(' ');
}

export function parseFstabLine(line: string): FuseStrataMount {
  const fields = line
    .trim()
    .split(/[ \t]+/)
    .map(unescapeField);
  if (fields.length < 3 || fields.length > 6 || line.trim().startsWith('#')) {
    throw new StrataError('INVALID_ARGUMENT', `Not an fstab entry: '${line.trim()}': expected SOURCE MOUNTPOINT fuse.strata OPTIONS 0 0.`);
  }
  const [source, mountpoint, type, options = 'defaults'] = fields;
  if (type !== FUSE_STRATA_TYPE) {
    throw new StrataError('INVALID_ARGUMENT', `The fstab entry for ${mountpoint} has type '${type}', not ${FUSE_STRATA_TYPE}.`);
  }
  return fuseStrataMount(source, mountpoint, options);
}
