/** `strata set MOUNTPOINT [--branch ...] [--create P] [--copyup P] [--minfree SIZE] [--func F=P] ...` */
import type { UnionConfigPatch } from '../../common/contract.ts';
import { parseBranchList, parseUnionOptions } from '../../common/unionConfig.ts';
import { reconfigureUnion } from '../mounts/manager.ts';
import { cliBusyGuard } from '../tracker/guardHooks.ts';
import { asUsage, expectPositionals, parseArgs, UsageError } from './args.ts';
import { printJson } from './output.ts';
import { UNION_FLAGS, unionOptionsFrom } from './unionFlags.ts';

export async function setCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { ...UNION_FLAGS, force: { kind: 'boolean' }, json: { kind: 'boolean' } }, 'set');
  const [mountpoint] = expectPositionals(args, ['MOUNTPOINT'], 'set');
  const patch: UnionConfigPatch = asUsage(() => parseUnionOptions(unionOptionsFrom(args)));
  // --branch replaces the whole list, so a reorder or a removal is one command.
  if (args.lists.branch) patch.branches = asUsage(() => parseBranchList(args.lists.branch!));
  if (Object.keys(patch).length === 0) {
    throw new UsageError('Nothing to change: give --branch, --create, --copyup, --minfree, --func, --moveonenospc, --passthrough or --name.');
  }
  const config = await reconfigureUnion(mountpoint, patch, { force: args.booleans.force ?? false, guard: cliBusyGuard() });
  if (args.booleans.json) {
    printJson(config);
    return 0;
  }
  const branches = config.branches.map((b) => `${b.path}=${b.mode}`).join(' ');
  process.stdout.write(`Updated ${config.mountpoint}: create=${config.create} copyup=${config.copyup} branches ${branches}.\n`);
  return 0;
}
