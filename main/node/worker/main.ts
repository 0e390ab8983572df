/**
 * Entry of dist/worker.js: the process that serves one union. fuse-native runs every FUSE op on this
 * process's event loop, so it does nothing else: no UI, no other mounts, and never a synchronous call that
 * could reach its own mount. Started by spawnWorker (main/node/mounts), which passes the UnionConfig in
 * the environment and waits for one readiness line on fd 3.
 */
import type { UnionConfig } from '../../common/contract.ts';
import { StrataError, toErrorData } from '../../common/errors.ts';
import { selectBackend } from '../fuse/backend.ts';
import type { FuseBackend } from '../fuse/ops.ts';
import { publishBranchList, withdrawBranchList } from '../mounts/branchListFile.ts';
import { readMountTable, strataMounts } from '../mounts/mountTable.ts';
import { controlSocketPath, ensureDirs, workerLogPath } from '../control/paths.ts';
import { refuseUnionLoops, resolveBranches } from '../mounts/unionLoopCheck.ts';
import { removeWorkerPid, writeWorkerPid } from '../control/workerPid.ts';
import { loadSyscalls } from '../sys/load.ts';
import { chooseCallMode } from './callMode.ts';
import { Union } from '../union/union.ts';
import { controlHandlerFor } from './controlHandler.ts';
import { serveControl, type ControlHandler, type ControlServer } from './controlServer.ts';
import { log, openLog } from './log.ts';
import { MountSession, WATCH_INTERVAL_MS } from './mountSession.ts';
import { CONFIG_ENV, LAUNCH_ENV, type WorkerLaunch } from '../control/protocol.ts';
import { reportReadiness } from './readiness.ts';

// Every op awaits branch syscalls on libuv's pool, and the native backend has many requests in flight
// at once: libuv's default of 4 threads would queue them. Read once, at the pool's first use, which
// is after this module's imports (none of them touches the filesystem asynchronously).
process.env.UV_THREADPOOL_SIZE ??= '16';

function readConfig(): UnionConfig {
  const raw = process.env[CONFIG_ENV];
  delete process.env[CONFIG_ENV];
  try {
    const config = JSON.parse(raw ?? '') as UnionConfig;
    if (typeof config.mountpoint === 'string' && Array.isArray(config.branches)) return config;
  } catch {
    // reported below
  }
  throw new StrataError('INTERNAL', `The worker needs its UnionConfig as JSON in ${CONFIG_ENV}; it is started by strata mount, not by hand.`);
}

/** Optional: a worker whose spawner does not say reports no origin. */
function readLaunch(): WorkerLaunch | undefined {
  const raw = process.env[LAUNCH_ENV];
  delete process.env[LAUNCH_ENV];
  return raw ? (JSON.parse(raw) as WorkerLaunch) : undefined;
}

const exit = (code: number) => process.exit(code);

/**
 * A worker holding the mountpoint where no union is mounted is on its way out (its union was unmounted
 * from outside, or its mount failed), or still mounting. One on its way out lets go within its watch
 * interval; a union mounted again at once, as `umount MNT && strata mount MNT …` does, waits for that
 * (twice the interval and a second: a busy machine runs the watch late).
 */
const LEAVE_WITHIN_MS = 2 * WATCH_INTERVAL_MS + 1000;
const unionGone = (mountpoint: string) => async () => !(await strataMounts()).some((e) => e.mountpoint === mountpoint);

function handleSignals(session: MountSession): void {
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    // A second signal means "now", even while lazily detached users are still being served or another
    // mount covers the union.
    if (signalled) exit(0);
    signalled = true;
    log(`${signal}: stopping`);
    session.stopOnSignal().catch((err: Error) => {
      log(`stop failed: ${err.message}`);
      exit(1);
    });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  process.on('SIGHUP', () => log('SIGHUP ignored'));
}

/** A bug must not leave a dead mount behind: detach it, then die. */
function handleCrashes(session: MountSession): void {
  process.on('uncaughtException', (err) => {
    log(`uncaught exception: ${err.stack ?? err.message}`);
    session.detachAfterCrash().finally(() => exit(70));
  });
  process.on('unhandledRejection', (reason) => log(`unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}`));
}

/**
 * Publishes the branches, then checks them, and only then opens and mounts them: of two unions closing
 * a loop at the same moment (this mount, and another mount or a set), at least one check sees the
 * other's branches and refuses.
 */
async function mountUnion(config: UnionConfig, backend: FuseBackend, control: ControlServer, launch: WorkerLaunch | undefined): Promise<MountSession> {
  const paths = config.branches.map((b) => b.path);
  await publishBranchList(config.mountpoint, paths);
  const mounts = await readMountTable();
  await refuseUnionLoops(config.mountpoint, await resolveBranches(config.branches, mounts), mounts);
  const union = await Union.open(config, { sys: loadSyscalls(), capabilities: backend.capabilities, resolved: backend.resolved });
  // Not awaited: a slow branch must not hold up the mount; copy-ups to a branch wait for its sweep.
  void union.sweepWorkDirs().then((failures) => failures.forEach((f) => log(`could not clear copy-up leftovers in ${f}`)));
  await writeWorkerPid(config.mountpoint);
  // From here this thread only decides FUSE requests and answers control requests.
  await chooseCallMode(loadSyscalls(), paths);
  return MountSession.start(union, backend, control, exit, launch);
}

async function main(): Promise<void> {
  const config = readConfig();
  const launch = readLaunch();
  await ensureDirs();
  openLog(workerLogPath(config.mountpoint));
  log(`starting: ${JSON.stringify(config)}`);
  const { backend, warning } = selectBackend();
  if (warning) log(warning);
  // The mountpoint's claim and control socket come first: a worker started while another serves or
  // mounts there (one that has not yet seen an unmount from outside, or a second mount at the same
  // moment) is refused before it touches the other's runtime files; and a mount never exists without
  // its control channel.
  const socket = controlSocketPath(config.mountpoint);
  let handle: ControlHandler = async () => {
    throw new StrataError('UNAVAILABLE', `${config.mountpoint} is still being mounted: try again in a moment.`);
  };
  const control = await serveControl(config.mountpoint, (req) => handle(req), unionGone(config.mountpoint), LEAVE_WITHIN_MS);
  let session: MountSession;
  try {
    session = await mountUnion(config, backend, control, launch);
  } catch (err) {
    await removeWorkerPid(config.mountpoint);
    await withdrawBranchList(config.mountpoint);
    await control.release();
    throw err;
  }
  handle = controlHandlerFor(session);
  handleSignals(session);
  handleCrashes(session);
  log(`mounted ${config.mountpoint} with ${backend.capabilities.name}`);
  await reportReadiness({ ok: true, pid: process.pid, backend: backend.capabilities.name, socket, ...(warning ? { warning } : {}) });
}

main().catch(async (err: unknown) => {
  log(`failed: ${(err as Error)?.stack ?? String(err)}`);
  await reportReadiness({ ok: false, error: toErrorData(err) });
  exit(1);
});
