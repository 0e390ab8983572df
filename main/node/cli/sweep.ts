/** `strata sweep`: clear the mounts of workers that died (live and hung mounts are left alone). */
import { sweepStaleMounts } from '../mounts/stale.ts';
import { expectPositionals, parseArgs } from './args.ts';

export async function sweepCommand(argv: string[]): Promise<number> {
  expectPositionals(parseArgs(argv, {}, 'sweep'), [], 'sweep');
  const cleared = await sweepStaleMounts();
  process.stdout.write(
    cleared.length === 0 ? 'No stale Strata mounts.\n' : `Cleared ${cleared.length} stale mount${cleared.length === 1 ? '' : 's'}: ${cleared.join(', ')}.\n`,
  );
  return 0;
}
