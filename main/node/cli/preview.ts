/**
 * `strata preview MOUNTPOINT RELPATH [--fn create|mkdir|mknod|symlink] [--json]`: where a new entry would go.
 * Branch 1 is the top one in the text; --json keeps the contract's 0-based indexes (also in its sentences).
 */
import { branchName, branchNumber, humanBranchRefs } from '../../common/branchNames.ts';
import type { PreviewResult } from '../../common/contract.ts';
import { CREATE_FUNCTIONS, type CreateFunction } from '../../common/policies/types.ts';
import { queryUnion } from '../mounts/manager.ts';
import { expectPositionals, parseArgs, UsageError } from './args.ts';
import { formatTable, printJson } from './output.ts';

function describe(p: PreviewResult): string {
  const verdict = p.ok
    ? `${p.fn} ${p.relPath} would go to ${branchName(p.branch ?? 0)}: ${p.branchPath} (policy ${p.policy})\n`
    : `${p.fn} ${p.relPath} would fail with ${p.errno} (policy ${p.policy})\n`;
  const parents = p.createsParents.length ? `first creates ${p.createsParents.join(', ')} on that branch\n` : '';
  const note = p.note ? `note: ${humanBranchRefs(p.note)}\n` : '';
  const excluded =
    p.excluded.length === 0
      ? ''
      : formatTable(
          ['BRANCH', 'EXCLUDED', 'WHY'],
          p.excluded.map((e) => [String(branchNumber(e.branch)), e.reason, humanBranchRefs(e.detail)]),
        );
  return verdict + parents + note + excluded;
}

export async function previewCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { fn: { kind: 'string' }, json: { kind: 'boolean' } }, 'preview');
  const [mountpoint, relArg] = expectPositionals(args, ['MOUNTPOINT', 'RELPATH'], 'preview');
  const fn = args.strings.fn ?? 'create';
  if (!(CREATE_FUNCTIONS as readonly string[]).includes(fn)) {
    throw new UsageError(`Unknown function '${fn}' for --fn: use one of ${CREATE_FUNCTIONS.join(', ')}.`);
  }
  const relPath = relArg.startsWith('/') ? relArg : `/${relArg}`;
  const result = await queryUnion(mountpoint, { op: 'preview', relPath, fn: fn as CreateFunction });
  if (args.booleans.json) printJson(result);
  else process.stdout.write(describe(result));
  return 0;
}
