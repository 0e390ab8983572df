/**
 * `strata export MOUNTPOINT|NAME [--format fstab|systemd|cli]`: a union written down so it outlives the
 * app: an /etc/fstab line, a systemd mount unit, or the `strata mount` command. The union is a mounted
 * one (any origin) or one saved in the desktop app.
 */
import type { UnionConfig } from '../../common/contract.ts';
import { StrataError } from '../../common/errors.ts';
import { EXPORT_FORMATS, exportUnion, type ExportFormat } from '../../common/export/unionExport.ts';
import { shellQuote } from '../../common/shellQuote.ts';
import { listUnions } from '../mounts/manager.ts';
import { resolveMountpoint } from '../mounts/mountpointPath.ts';
import { defaultStorePath, UnionStore } from '../service/unionStore.ts';
import { expectPositionals, parseArgs, UsageError } from './args.ts';

async function knownUnions(): Promise<UnionConfig[]> {
  const mounted = (await listUnions()).flatMap((s) => (s.config ? [s.config] : []));
  const saved = (await new UnionStore(defaultStorePath()).load()).map((d) => d.config);
  return [...mounted, ...saved.filter((c) => !mounted.some((m) => m.mountpoint === c.mountpoint))];
}

/** By mountpoint first (a path is unambiguous), then by name. */
async function findUnion(target: string): Promise<UnionConfig> {
  const unions = await knownUnions();
  const mountpoint = target.includes('/') ? await resolveMountpoint(target) : undefined;
  const byPath = unions.find((c) => c.mountpoint === mountpoint);
  if (byPath) return byPath;
  const byName = unions.filter((c) => c.name === target);
  if (byName.length === 1) return byName[0];
  if (byName.length > 1) {
    throw new StrataError(
      'INVALID_ARGUMENT',
      `${byName.length} unions are named ${target}: give the mountpoint instead (${byName.map((c) => shellQuote(c.mountpoint)).join(', ')}).`,
    );
  }
  throw new StrataError('NOT_FOUND', `No union mounted or saved at or named ${target}: strata list shows the mounted ones.`);
}

export async function exportCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { format: { kind: 'string', short: 'F' } }, 'export');
  const [target] = expectPositionals(args, ['MOUNTPOINT|NAME'], 'export');
  const format = (args.strings.format ?? 'fstab') as ExportFormat;
  if (!EXPORT_FORMATS.includes(format)) {
    throw new UsageError(`Unknown --format '${args.strings.format}': use one of ${EXPORT_FORMATS.join(', ')}.`);
  }
  const forms = exportUnion(await findUnion(target));
  process.stdout.write(format === 'systemd' ? forms.systemd.text : `${forms[format]}\n`);
  return 0;
}
