/** `strata list [--json]`: every Strata mount on the machine, with its state. */
import type { MountStatus } from '../../common/contract.ts';
import { listUnions } from '../mounts/manager.ts';
import { expectPositionals, parseArgs } from './args.ts';
import { formatTable, printJson } from './output.ts';

function row(s: MountStatus): string[] {
  const branches = s.branches.map((b) => `${b.path}=${b.mode}`).join(' ') || '-';
  return [s.mountpoint, s.name, s.state, s.pid ? String(s.pid) : '-', s.origin ?? '-', s.config?.create ?? '-', branches];
}

export async function listCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { json: { kind: 'boolean' } }, 'list');
  expectPositionals(args, [], 'list');
  const unions = await listUnions();
  if (args.booleans.json) {
    printJson(unions);
    return 0;
  }
  if (unions.length === 0) {
    process.stdout.write('No Strata unions are mounted.\n');
    return 0;
  }
  process.stdout.write(formatTable(['MOUNTPOINT', 'NAME', 'STATE', 'PID', 'ORIGIN', 'CREATE', 'BRANCHES'], unions.map(row)));
  for (const s of unions) if (s.problem) process.stdout.write(`${s.mountpoint}: ${s.problem}\n`);
  return 0;
}
