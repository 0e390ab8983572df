/** `strata unmount MOUNTPOINT [--force]` */
import { unmountUnion } from '../mounts/manager.ts';
import { cliBusyGuard } from '../tracker/guardHooks.ts';
import { expectPositionals, parseArgs } from './args.ts';

const SAID: Record<Awaited<ReturnType<typeof unmountUnion>>, string> = {
  'unmounted': 'Unmounted',
  'detached': 'Detached lazily (processes that still use it keep it until they close their files):',
  'cut-off': 'Cut off (its pending requests aborted, the mount detached; its users now get errors):',
  'cleared-stale': 'Cleared the stale mount (its worker had died) on',
};

export async function unmountCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { force: { kind: 'boolean', short: 'f' } }, 'unmount');
  const [mountpoint] = expectPositionals(args, ['MOUNTPOINT'], 'unmount');
  const outcome = await unmountUnion(mountpoint, { force: args.booleans.force ?? false, guard: cliBusyGuard() });
  process.stdout.write(`${SAID[outcome]} ${mountpoint}.\n`);
  return 0;
}
