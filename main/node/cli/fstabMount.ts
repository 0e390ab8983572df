/**
 * `strata SOURCE MOUNTPOINT -o OPTIONS`: how mount.fuse3 runs Strata for `mount -t fuse.strata`, an
 * /etc/fstab line or a systemd `.mount` unit (it runs `sh -c 'strata ...'` with mount(8)'s cleaned
 * environment, so `strata` must be in /usr/local/bin, /usr/bin or /bin). SOURCE holds the branches,
 * `a=rw:b=ro`; OPTIONS every `strata mount` option as a key (main/common/export/mountOptions.ts).
 * Returns once the union serves, as mount(8) expects of a helper.
 */
import { resolve } from 'node:path';
import { fuseStrataMount } from '../../common/export/fuseStrataMount.ts';
import { mountUnion } from '../mounts/manager.ts';
import { asUsage, UsageError } from './args.ts';
import { printNote } from './output.ts';

const USAGE = 'usage is strata SOURCE MOUNTPOINT [-o OPTIONS], e.g. strata /srv/a=rw:/srv/b=ro /mnt/u -o create=mfs';

/** A positional that starts with '/' (or holds a branch list) where a command name would be. */
export function isHelperForm(argv: readonly string[]): boolean {
  return argv.length >= 2 && argv[0].includes('/');
}

export function parseHelperArgs(argv: readonly string[]): { source: string; mountpoint: string; options: string } {
  const positionals: string[] = [];
  const options: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '-o') {
      if (argv[i + 1] === undefined) throw new UsageError(`Option -o needs a value: ${USAGE}.`);
      options.push(argv[++i]);
    } else if (arg.startsWith('-o')) options.push(arg.slice(2));
    else if (arg.startsWith('-')) throw new UsageError(`Unknown option ${arg} for a fuse.strata mount: ${USAGE}.`);
    else positionals.push(arg);
  }
  if (positionals.length !== 2) throw new UsageError(`Expected SOURCE and MOUNTPOINT, got ${positionals.length} arguments: ${USAGE}.`);
  return { source: positionals[0], mountpoint: positionals[1], options: options.join(',') };
}

export async function fstabMountCommand(argv: string[]): Promise<number> {
  const args = parseHelperArgs(argv);
  const { config, options } = asUsage(() => fuseStrataMount(args.source, resolve(args.mountpoint), args.options));
  const worker = await mountUnion(config, {
    launch: { origin: 'fstab', kernelFlags: options.kernelFlags, allowOther: options.allowOther, fsname: args.source },
  });
  process.stdout.write(`Mounted ${worker.config.name} on ${worker.config.mountpoint} (worker pid ${worker.ready.pid}; log ${worker.logPath}).\n`);
  if (worker.ready.warning) printNote(worker.ready.warning);
  worker.process.detach();
  return 0;
}
