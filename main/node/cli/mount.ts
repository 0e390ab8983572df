/** `strata mount MOUNTPOINT --branch DIR[=rw|ro|nc][,minfree=SIZE] ... [options] [--foreground]` */
import { resolve } from 'node:path';
import type { WorkerProcess } from '../mounts/workerProcess.ts';
import { buildUnionConfig } from '../../common/unionConfig.ts';
import { mountUnion, unmountUnion } from '../mounts/manager.ts';
import { clearStrataMountAt } from '../mounts/stale.ts';
import { asUsage, expectPositionals, parseArgs } from './args.ts';
import { printError, printNote } from './output.ts';
import { UNION_FLAGS, unionOptionsFrom } from './unionFlags.ts';

/**
 * Stays attached until SIGINT/SIGTERM, then unmounts (lazily if files are still open). The worker is still
 * its own process, in its own process group, so Ctrl-C reaches only the CLI, which then stops it in order.
 */
async function serveInForeground(mountpoint: string, worker: WorkerProcess): Promise<number> {
  const exited = worker.exited;
  const signalled = new Promise<void>((done) => {
    process.once('SIGINT', () => done());
    process.once('SIGTERM', () => done());
  });
  const first = await Promise.race([exited.then(() => 'exited' as const), signalled.then(() => 'signal' as const)]);
  if (first === 'exited') {
    await clearStrataMountAt(mountpoint);
    printError(`The worker serving ${mountpoint} exited unexpectedly; the mount was cleared.`);
    return 1;
  }
  const outcome = await unmountUnion(mountpoint, { force: true, guard: null });
  if (outcome === 'detached') printNote(`${mountpoint} was busy and was detached lazily; its worker serves open files until they are closed.`);
  else process.stdout.write(`Unmounted ${mountpoint}.\n`);
  return 0;
}

export async function mountCommand(argv: string[]): Promise<number> {
  const args = parseArgs(argv, { ...UNION_FLAGS, foreground: { kind: 'boolean', short: 'f' } }, 'mount');
  const [mountpointArg] = expectPositionals(args, ['MOUNTPOINT'], 'mount');
  const config = asUsage(() => buildUnionConfig(resolve(mountpointArg), args.lists.branch ?? [], unionOptionsFrom(args)));
  const worker = await mountUnion(config, { launch: { origin: 'cli' } });
  const { name, mountpoint } = worker.config;
  process.stdout.write(`Mounted ${name} on ${mountpoint} (worker pid ${worker.ready.pid}, ${worker.ready.backend}; log ${worker.logPath}).\n`);
  if (worker.ready.warning) printNote(worker.ready.warning);
  if (!args.booleans.foreground) {
    worker.process.detach();
    return 0;
  }
  process.stdout.write('Serving in the foreground: press Ctrl-C to unmount.\n');
  return serveInForeground(mountpoint, worker.process);
}
