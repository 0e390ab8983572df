/**
 * Mount management for every front end (CLI, Electron main, `strata serve`): mount, unmount, list, set and
 * the per-union queries. The truth is the kernel's mount table (`fuse.strata` entries) joined with what
 * each worker says on its control socket; nothing here touches a FUSE mount except through a child process.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { BranchSpec } from '../../common/branch.ts';
import type { ControlOp, ControlRequestOf, ControlResultOf, MountStatus, UnionConfig, UnionConfigPatch } from '../../common/contract.ts';
import { StrataError } from '../../common/errors.ts';
import { mountOnTop, STRATA_FSTYPE, type MountInfoEntry } from '../../common/mountinfo.ts';
import { isSameOrInside, lastComponent, relativeUnionPath } from '../../common/absolutePath.ts';
import { validateConfigPatch } from '../../common/unionConfig.ts';
import { controlRequest } from '../control/controlClient.ts';
import { mountAt, readMountTable, strataMounts } from './mountTable.ts';
import { resolveMountpoint } from './mountpointPath.ts';
import { controlSocketPath } from '../control/paths.ts';
import { spawnWorker, type SpawnedWorker, type SpawnOptions } from './spawnWorker.ts';
import { clearStaleMount, detachMount, withdrawRuntimeFiles } from './stale.ts';
import { checkMount, forgetUnmounted, STATUS_TIMEOUT_MS, type MountHealth } from './mountHealth.ts';
import { commandLine } from '../../common/shellQuote.ts';
import { loadUserNames } from '../sys/userNames.ts';
import { validateBranchDirs, validateForMount } from './validate.ts';

const GONE_TIMEOUT_MS = 5000;

export type UnmountOutcome = 'unmounted' | 'detached' | 'cut-off' | 'cleared-stale';

/**
 * The Strata mount at `mountpoint`, or NOT_MOUNTED naming what is there instead. One another mount
 * covers still answers on its socket; `uncovered` refuses it, for what would unmount it by path and so
 * take the mount on top down instead.
 */
async function strataMountAt(mountpoint: string, { uncovered = false } = {}): Promise<MountInfoEntry> {
  const table = await readMountTable();
  const here = table.filter((e) => e.mountpoint === mountpoint);
  const entry = here.findLast((e) => e.fstype === STRATA_FSTYPE);
  const top = here.at(-1);
  if (entry && top !== entry && uncovered) {
    throw new StrataError(
      'BUSY',
      `A ${top!.fstype} mount covers the Strata union on ${mountpoint}: unmount that one first (${commandLine('umount', mountpoint)}), then run this again.`,
    );
  }
  if (entry) return entry;
  throw new StrataError(
    'NOT_MOUNTED',
    top
      ? `${mountpoint} is a ${top.fstype} mount, not a Strata union: use umount for it.`
      : `No Strata union is mounted on ${mountpoint}: strata list shows the mounted unions.`,
  );
}

/** The Strata union on the mountpoint if it is stale; a live one is an error. */
async function staleUnionAt(mountpoint: string): Promise<MountInfoEntry | undefined> {
  const entry = await mountAt(mountpoint);
  if (entry?.fstype !== STRATA_FSTYPE) return undefined;
  if ((await checkMount(entry)).kind !== 'gone') {
    throw new StrataError(
      'ALREADY_MOUNTED',
      `A Strata union is already mounted on ${mountpoint}: use strata set to change it, or ${commandLine('strata', 'unmount', mountpoint)} first.`,
    );
  }
  return entry;
}

export async function mountUnion(config: UnionConfig, opts: SpawnOptions = {}): Promise<SpawnedWorker> {
  const mountpoint = await resolveMountpoint(config.mountpoint);
  // A stale union is cleared: that is how a crashed union is mounted again.
  const stale = await staleUnionAt(mountpoint);
  if (stale) await clearStaleMount(stale);
  const checked = await validateForMount({ ...config, mountpoint }).catch(async (err: unknown) => {
    // A mount of this mountpoint started at the same time may have finished since: that is the reason
    // to give, not the union's files, or its mount, found there.
    await staleUnionAt(mountpoint);
    throw err;
  });
  return spawnWorker(checked, opts);
}

async function waitUntilUnmounted(entry: MountInfoEntry): Promise<void> {
  const deadline = Date.now() + GONE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!(await readMountTable()).some((e) => e.mountId === entry.mountId)) return;
    await sleep(50);
  }
}

/**
 * Cuts off a union that does not answer: abort its requests, detach it, end its worker. Nothing here
 * waits on the mount or on the worker, which may never run again.
 */
async function cutOff(entry: MountInfoEntry, pid: number | undefined): Promise<void> {
  await detachMount(entry);
  if (pid !== undefined) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await withdrawRuntimeFiles(entry.mountpoint, pid);
}

/**
 * Refuses, in the caller's own words, to unmount or reconfigure a union whose branches are in use. The
 * caller passes one in (the tracker's guard: `tracker/guardHooks.ts`), so lifecycle code never imports
 * the tracker.
 */
export interface BusyGuard {
  beforeUnmount(mountpoint: string): Promise<void>;
  /** `current`: the union's branches now, against which the patch removes or downgrades some. */
  beforeReconfigure(mountpoint: string, patch: UnionConfigPatch, current: readonly Pick<BranchSpec, 'path' | 'mode'>[]): Promise<void>;
}

export interface GuardedOptions {
  force?: boolean;
  /** The busy guard, in the caller's words; null when the caller guarded already (or forces). */
  guard: BusyGuard | null;
}

export async function unmountUnion(mountpointArg: string, { force = false, guard }: GuardedOptions): Promise<UnmountOutcome> {
  const mountpoint = await resolveMountpoint(mountpointArg);
  const entry = await strataMountAt(mountpoint, { uncovered: true });
  const health = await checkMount(entry);
  if (health.kind === 'gone') {
    await clearStaleMount(entry);
    return 'cleared-stale';
  }
  if (health.kind === 'foreign' || health.kind === 'unreachable') {
    if (!force) throw new StrataError(health.kind === 'foreign' ? 'PERMISSION' : 'WORKER_FAILED', statusFor(entry, health, await loadUserNames()).problem!);
    await cutOff(entry, undefined);
    return 'cut-off';
  }
  const pid = health.kind === 'silent' ? health.pid : health.status.pid;
  if (force && (health.kind === 'silent' || health.status.state === 'hung')) {
    await cutOff(entry, pid);
    return 'cut-off';
  }
  // Not forced, a silent worker still gets its 'stop' (it may only be slow), with the usual deadline.
  // The guard names who holds the union; the kernel's EBUSY (the worker's answer) stays as the backstop.
  if (!force && health.kind === 'answering') await guard?.beforeUnmount(mountpoint);
  try {
    // A worker that just missed its status deadline gets one more short chance, not the full one.
    const outcome = await controlRequest(mountpoint, { op: 'stop', force }, health.kind === 'silent' ? STATUS_TIMEOUT_MS : undefined);
    await waitUntilUnmounted(entry);
    return outcome.lazy ? 'detached' : 'unmounted';
  } catch (err) {
    const code = (err as StrataError).code;
    if (code !== 'UNAVAILABLE' && code !== 'WORKER_FAILED') throw err;
    if (!force) {
      throw new StrataError(
        'WORKER_FAILED',
        `${mountpoint} is mounted but its worker does not answer: run ${commandLine('strata', 'unmount', '--force', mountpoint)} to abort its requests and detach it.`,
      );
    }
    await cutOff(entry, pid);
    return 'cut-off';
  }
}

const clock = (ms: number) => new Date(ms).toLocaleTimeString();

/** One `strata list` row for a mount, from what its health check learnt. */
/** `covering`: a mount stacked on the union at its mountpoint, which clearing a stale union must not take down. */
export function statusFor(entry: MountInfoEntry, health: MountHealth, userName: (uid: number) => string = String, covering?: MountInfoEntry): MountStatus {
  // An fstab union's source is its branch list (WorkerLaunch.fsname); its name is then the mountpoint's.
  const name = entry.source.startsWith('strata:') ? entry.source.slice('strata:'.length) : lastComponent(entry.mountpoint);
  const base = { mountpoint: entry.mountpoint, name, branches: [] };
  const force = commandLine('strata', 'unmount', '--force', entry.mountpoint);
  const abort = `echo 1 > /sys/fs/fuse/connections/${entry.minor}/abort`;
  // An unmount by path, lazy or forced, would take down the mount on top instead.
  const cutOffBy = covering
    ? `${abort} aborts its requests; a ${covering.fstype} mount covers it: unmount that first (${commandLine('umount', entry.mountpoint)}), then ${force} detaches it.`
    : `${force} aborts its requests and detaches it (by hand: ${abort}; ${commandLine('umount', '-l', entry.mountpoint)}).`;
  switch (health.kind) {
    case 'answering': {
      const s = health.status;
      if (s.state !== 'hung' || s.hungSince === undefined) return s;
      return {
        ...s,
        problem: `Not responding since ${clock(s.hungSince)}: a filesystem request has waited unanswered since then (is one of its branches a stuck mount?). ${cutOffBy}`,
      };
    }
    case 'silent': {
      const worker = health.pid === undefined ? 'its worker' : `its worker (pid ${health.pid})`;
      const why = health.stopped ? `${worker} is stopped by a signal` : `${worker} does not answer`;
      const waiting = health.waiting ? `; ${health.waiting} request${health.waiting === 1 ? ' waits' : 's wait'} in the kernel` : '';
      return {
        ...base,
        state: 'hung',
        ...(health.pid === undefined ? {} : { pid: health.pid }),
        hungSince: health.since,
        problem: `Not responding since ${clock(health.since)}: ${why}${waiting}. ${cutOffBy}`,
      };
    }
    case 'gone':
      return {
        ...base,
        state: 'stale',
        problem: covering
          ? `Its worker is gone (Transport endpoint is not connected), and a ${covering.fstype} mount covers it: unmount that first (${commandLine('umount', entry.mountpoint)}), then strata sweep clears it.`
          : `Its worker is gone (Transport endpoint is not connected): strata sweep, or mounting it again, clears it.`,
      };
    case 'foreign':
      return {
        ...base,
        state: 'mounted',
        owner: userName(health.uid),
        problem: `Mounted by ${userName(health.uid)} (uid ${health.uid}): only their Strata can query or unmount it.`,
      };
    case 'unreachable':
      return {
        ...base,
        state: 'error',
        problem: `No worker answers for it on ${controlSocketPath(entry.mountpoint)}: it was mounted by another Strata installation or with another STRATA_RUNTIME_DIR; run strata there, or ${force} to abort and detach it.`,
      };
  }
}

export async function listUnions(): Promise<MountStatus[]> {
  const [table, userName] = await Promise.all([readMountTable(), loadUserNames()]);
  const mounts = table.filter((e) => e.fstype === STRATA_FSTYPE);
  forgetUnmounted(mounts);
  return Promise.all(
    mounts.map(async (entry) => {
      const checkedAt = Date.now();
      return { ...statusFor(entry, await checkMount(entry), userName, mountOnTop(entry, table)), checkedAt };
    }),
  );
}

/** Any control request to the union mounted on `mountpointArg` (status, stats, where, preview, handles). */
export async function queryUnion<O extends ControlOp>(mountpointArg: string, req: ControlRequestOf<O>, timeoutMs?: number): Promise<ControlResultOf<O>> {
  const mountpoint = await resolveMountpoint(mountpointArg);
  await strataMountAt(mountpoint);
  return controlRequest(mountpoint, req, timeoutMs);
}

/** Live change through the control channel; branches are checked here first so bad input changes nothing. */
export async function reconfigureUnion(mountpointArg: string, patch: UnionConfigPatch, { force = false, guard }: GuardedOptions): Promise<UnionConfig> {
  const mountpoint = await resolveMountpoint(mountpointArg);
  await strataMountAt(mountpoint);
  validateConfigPatch(mountpoint, patch);
  if (patch.branches) await validateBranchDirs(mountpoint, patch.branches);
  if (!force && guard && patch.branches) {
    const current = await controlRequest(mountpoint, { op: 'status' });
    await guard.beforeReconfigure(mountpoint, patch, current.branches);
  }
  return controlRequest(mountpoint, { op: 'reconfigure', patch, force });
}

/**
 * The union a path lies in, from the mount table alone (lexically: resolving symlinks would stat inside
 * the FUSE mount). The deepest Strata mountpoint containing the path wins.
 */
export async function unionContaining(absPath: string): Promise<{ mountpoint: string; relPath: string }> {
  const candidates = (await strataMounts()).filter((e) => isSameOrInside(absPath, e.mountpoint));
  const best = candidates.sort((a, b) => b.mountpoint.length - a.mountpoint.length)[0];
  if (!best) {
    throw new StrataError('NOT_IN_UNION', `${absPath} is not inside a mounted Strata union: give a path under one of the mountpoints strata list shows.`);
  }
  return { mountpoint: best.mountpoint, relPath: relativeUnionPath(absPath, best.mountpoint) };
}
