/** The `strata mount` command that recreates a union, shell-quoted for pasting. */
import type { UnionConfig } from '../contract.ts';
import { formatBranchSpec } from './branchSource.ts';
import { unionOptionPairs } from './mountOptions.ts';
import { commandLine } from '../shellQuote.ts';

export function formatMountCommand(config: UnionConfig): string {
  const words = ['strata', 'mount', config.mountpoint];
  for (const branch of config.branches) words.push('--branch', formatBranchSpec(branch));
  for (const [key, value] of unionOptionPairs(config)) {
    // Every -o key is also a flag, except func.FN=P, which is --func FN=P.
    words.push(...(key.startsWith('func.') ? ['--func', `${key.slice('func.'.length)}=${value}`] : [`--${key}`, value]));
  }
  return commandLine(...words);
}
