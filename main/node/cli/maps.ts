/**
 * `strata maps [MOUNTPOINT] [--json] [--watch] [--by process|file] [--interval MS]`: which processes map
 * or hold files of the unions, by virtual path, and which branch serves each. Tables for people; --json
 * prints one document; --watch prints a JSON line per entry added or removed, as it happens.
 */
import type { MappedEntry, MapsSnapshot, Uninspectable } from '../../common/maps.ts';
import { STRATA_FSTYPE } from '../../common/mountinfo.ts';
import { accessFlags, servingBranch } from '../../common/proc/mapsLabels.ts';
import { byFile, byProcess } from '../../common/proc/mapsViews.ts';
import { formatSize } from '../../common/sizes.ts';
import { mountAt } from '../mounts/mountTable.ts';
import { resolveMountpoint } from '../mounts/mountpointPath.ts';
import { managerSource } from '../tracker/managerSource.ts';
import { scanSnapshot } from '../tracker/scan.ts';
import { MapsTracker } from '../tracker/tracker.ts';
import { parseArgs, UsageError } from './args.ts';
import { formatTable, printJson } from './output.ts';

const SPEC = {
  json: { kind: 'boolean' },
  watch: { kind: 'boolean' },
  by: { kind: 'string' },
  interval: { kind: 'string' },
} as const;

export async function mapsCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, SPEC, 'maps');
  if (args.positionals.length > 1)
    throw new UsageError(`Unexpected argument '${args.positionals[1]}': usage is strata maps [MOUNTPOINT] (see strata help maps).`);
  const by = args.strings.by ?? 'process';
  if (by !== 'process' && by !== 'file') throw new UsageError(`--by takes 'process' or 'file', not '${by}'.`);
  const intervalMs = Number(args.strings.interval ?? 2000);
  if (!Number.isInteger(intervalMs) || intervalMs < 100) throw new UsageError(`--interval takes milliseconds, 100 or more, not '${args.strings.interval}'.`);
  const mountpoint = args.positionals[0] === undefined ? undefined : await strataMountpoint(args.positionals[0]);

  if (args.booleans.watch) return watch({ source: managerSource, mountpoint, intervalMs });
  const snapshot = await scanSnapshot({ source: managerSource, mountpoint });
  if (args.booleans.json) {
    printJson(args.strings.by === undefined ? snapshot : grouped(snapshot, by));
    return 0;
  }
  process.stdout.write(
    snapshot.entries.length === 0 ? 'No process uses files of the unions.\n' : by === 'file' ? fileTable(snapshot.entries) : processTable(snapshot.entries),
  );
  process.stdout.write(uninspectableNote(snapshot.uninspectable));
  return 0;
}

async function strataMountpoint(arg: string): Promise<string> {
  const mountpoint = await resolveMountpoint(arg);
  const entry = await mountAt(mountpoint);
  if (entry?.fstype !== STRATA_FSTYPE) {
    throw new UsageError(`No Strata union is mounted on ${mountpoint}: strata list shows the mounted unions.`);
  }
  return mountpoint;
}

function grouped(s: MapsSnapshot, by: 'process' | 'file') {
  return by === 'file'
    ? { at: s.at, files: byFile(s.entries), uninspectable: s.uninspectable }
    : { at: s.at, processes: byProcess(s.entries), uninspectable: s.uninspectable };
}

/** JSON lines until interrupted: every entry as it appears or goes, and each change of the uninspectable list. */
async function watch(opts: ConstructorParameters<typeof MapsTracker>[0]): Promise<number> {
  const tracker = new MapsTracker(opts);
  const line = (value: unknown) => process.stdout.write(JSON.stringify(value) + '\n');
  let uninspectable = '';
  tracker.watch((change) => {
    for (const entry of change.removed) line({ at: change.at, change: 'removed', entry });
    for (const entry of change.added) line({ at: change.at, change: 'added', entry });
    const now = JSON.stringify(change.uninspectable);
    if (now !== uninspectable) line({ at: change.at, change: 'uninspectable', uninspectable: change.uninspectable });
    uninspectable = now;
  });
  return new Promise<number>(() => undefined);
}

function kindText(e: MappedEntry): string {
  if (e.kind === 'mmap') return `mmap ${e.perms}`;
  if (e.kind === 'fd') return `fd ${e.fd} ${e.access}`;
  return e.kind;
}

function servedBy(e: MappedEntry): string {
  const flags = accessFlags(e);
  const branch = `${servingBranch(e)}${e.branch !== null && e.realPath ? `: ${e.realPath}` : ''}`;
  return flags ? `${branch} (${flags})` : branch;
}

function processTable(entries: MappedEntry[]): string {
  const rows = byProcess(entries).flatMap((p) =>
    p.entries.map((e) => [String(p.pid), p.user, p.command, kindText(e), e.size === undefined ? '-' : formatSize(e.size), e.virtualPath, servedBy(e)]),
  );
  return formatTable(['PID', 'USER', 'COMMAND', 'KIND', 'SIZE', 'PATH', 'BRANCH'], rows);
}

function fileTable(entries: MappedEntry[]): string {
  const rows = byFile(entries).map((f) => [
    f.virtualPath,
    servedBy(f.entries[0]),
    f.pids
      .map((pid) => {
        const mine = f.entries.filter((e) => e.pid === pid);
        return `${pid} ${mine[0].command} (${mine.map(kindText).join(', ')})`;
      })
      .join('; '),
  ]);
  return formatTable(['PATH', 'BRANCH', 'USED BY'], rows);
}

function uninspectableNote(list: Uninspectable[]): string {
  if (list.length === 0) return '';
  const names = list
    .slice(0, 10)
    .map((u) => `${u.pid} ${u.command ?? '?'}${u.user ? ` (${u.user})` : ''}`)
    .join(', ');
  const more = list.length > 10 ? `, and ${list.length - 10} more` : '';
  return (
    `\n${list.length} process(es) could not be inspected and may use the unions too: ${names}${more}. ` +
    `Reasons: ${[...new Set(list.map((u) => u.reason))].join('; ')}.\n`
  );
}
