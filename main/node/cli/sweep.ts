/** `strata sweep`: clear the mounts of workers that died (live and hung mounts are left alone). */
import { sweepStaleMounts } from '../mounts/stale.ts';
import { commandLine } from '../../common/shellQuote.ts';
import { expectPositionals, parseArgs } from './args.ts';
import { printNote } from './output.ts';

export async function sweepCommand(argv: string[]): Promise<number> {
  expectPositionals(parseArgs(argv, {}, 'sweep'), [], 'sweep');
  const { cleared, covered } = await sweepStaleMounts();
  if (cleared.length > 0) process.stdout.write(`Cleared ${cleared.length} stale mount${cleared.length === 1 ? '' : 's'}: ${cleared.join(', ')}.\n`);
  else if (covered.length === 0) process.stdout.write('No stale Strata mounts.\n');
  for (const { mountpoint, by } of covered) {
    printNote(
      `Left the stale union at ${mountpoint}: a ${by} mount covers it. Unmount that first (${commandLine('umount', mountpoint)}), then run strata sweep again.`,
    );
  }
  return 0;
}
