/** `strata where PATH [--json]`: which branch serves a path of a mounted union, and what it hides. */
import { resolve } from 'node:path';
import { branchName, branchNumber } from '../../common/branchNames.ts';
import type { WhereResult } from '../../common/contract.ts';
import type { StrataError } from '../../common/errors.ts';
import { resolveWithoutWaiting } from '../mounts/deadlineFs.ts';
import { queryUnion, unionContaining } from '../mounts/manager.ts';
import { expectPositionals, parseArgs } from './args.ts';
import { formatTable, printJson } from './output.ts';

/** The union holding PATH: lexically first (no access to the mount); through symlinks only if needed. */
async function locate(pathArg: string): Promise<{ mountpoint: string; relPath: string }> {
  const abs = resolve(pathArg);
  try {
    return await unionContaining(abs);
  } catch (err) {
    const real = (await resolveWithoutWaiting(abs)).path;
    if ((err as StrataError).code !== 'NOT_IN_UNION' || real === abs) throw err;
    return unionContaining(real);
  }
}

/** People read branch 1 as the top one; --json keeps the contract's 0-based indexes. */
function describe(w: WhereResult): string {
  const head = w.exists
    ? `${w.relPath} in ${w.mountpoint} is served by ${branchName(w.servingBranch ?? 0)}: ${w.servingPath}\n`
    : `${w.relPath} does not exist in ${w.mountpoint}.\n`;
  const copies =
    w.copies.length === 0
      ? ''
      : formatTable(
          ['BRANCH', 'TYPE', 'STATE', 'PATH'],
          w.copies.map((c) => [String(branchNumber(c.branch)), c.type, c.visible ? 'visible' : (c.hiddenBy ?? 'hidden'), c.realPath]),
        );
  const marks = [
    ...w.whiteouts.map((m) => `whiteout on ${branchName(m.branch)}: ${m.realPath}\n`),
    ...w.opaque.map((m) => `opaque directory on ${branchName(m.branch)}: ${m.realPath}\n`),
  ].join('');
  return head + copies + marks;
}

export async function whereCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { json: { kind: 'boolean' } }, 'where');
  const [pathArg] = expectPositionals(args, ['PATH'], 'where');
  const { mountpoint, relPath } = await locate(pathArg);
  const result = await queryUnion(mountpoint, { op: 'where', relPath });
  if (args.booleans.json) printJson(result);
  else process.stdout.write(describe(result));
  return 0;
}
