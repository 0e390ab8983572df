/**
 * `strata sweep`: clear the mounts of workers that died (live and hung mounts are left alone), and the
 * runtime files of those whose mount is gone already.
 */
import { sweepLeftovers, sweepStaleMounts } from '../mounts/stale.ts';
import { runtimeDir } from '../control/paths.ts';
import { commandLine } from '../../common/shellQuote.ts';
import { expectPositionals, parseArgs } from './args.ts';
import { printNote } from './output.ts';

export async function sweepCommand(argv: string[]): Promise<number> {
  expectPositionals(parseArgs(argv, {}, 'sweep'), [], 'sweep');
  const { cleared, covered } = await sweepStaleMounts();
  if (cleared.length > 0) process.stdout.write(`Cleared ${cleared.length} stale mount${cleared.length === 1 ? '' : 's'}: ${cleared.join(', ')}.\n`);
  else if (covered.length === 0) process.stdout.write('No stale Strata mounts.\n');
  const left = await sweepLeftovers();
  if (left > 0) process.stdout.write(`Removed what ${left} gone worker${left === 1 ? '' : 's'} left in ${runtimeDir()}.\n`);
  for (const { mountpoint, by } of covered) {
    printNote(
      `Left the stale union at ${mountpoint}: a ${by} mount covers it. Unmount that first (${commandLine('umount', mountpoint)}), then run strata sweep again.`,
    );
  }
  return 0;
}
