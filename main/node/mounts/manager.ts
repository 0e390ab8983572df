/**
 * Mount management for every front end (CLI, Electron main, `strata serve`): mount, unmount, list, set and
 * the per-union queries. The truth is the kernel's mount table (`fuse.strata` entries) joined with what
 * each worker says on its control socket; nothing here touches a FUSE mount except through a child process.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ControlRequest, MountStatus, UnionConfig, UnionConfigPatch } from '../../common/contract.ts';
import { StrataError } from '../../common/errors.ts';
import { STRATA_FSTYPE, type MountInfoEntry } from '../../common/mountinfo.ts';
import { isSameOrInside, relativeUnionPath } from '../../common/absolutePath.ts';
import { validateConfigPatch } from '../../common/unionConfig.ts';
import type { StopOutcome } from '../worker/mountSession.ts';
import { controlRequest } from './controlClient.ts';
import { fusermountUnmount } from '../fuse/fusermount.ts';
import { mountAt, readMountTable, strataMounts } from './mountTable.ts';
import { resolveMountpoint } from './mountpointPath.ts';
import { controlSocketPath } from './paths.ts';
import { guardReconfigure, guardUnmount } from '../tracker/guardHooks.ts';
import { spawnWorker, type SpawnedWorker, type SpawnOptions } from './spawnWorker.ts';
import { clearStaleMount, probeMount } from './stale.ts';
import { validateBranchDirs, validateForMount } from './validate.ts';

const STATUS_TIMEOUT_MS = 2000;
const GONE_TIMEOUT_MS = 5000;

export type UnmountOutcome = 'unmounted' | 'detached' | 'cleared-stale';

/** The Strata mount at `mountpoint`, or NOT_MOUNTED naming what is there instead. */
async function strataMountAt(mountpoint: string): Promise<MountInfoEntry> {
  const entry = await mountAt(mountpoint);
  if (entry?.fstype === STRATA_FSTYPE) return entry;
  throw new StrataError('NOT_MOUNTED', entry
    ? `${mountpoint} is a ${entry.fstype} mount, not a Strata union: use umount for it.`
    : `No Strata union is mounted on ${mountpoint}: strata list shows the mounted unions.`);
}

/** A stale union at the mountpoint is cleared (that is how a crashed union is mounted again); a live one is an error. */
async function clearWayFor(mountpoint: string): Promise<void> {
  const entry = await mountAt(mountpoint);
  if (entry?.fstype !== STRATA_FSTYPE) return;
  const health = await probeMount(mountpoint);
  if (health !== 'dead') {
    throw new StrataError('ALREADY_MOUNTED', `A Strata union is already mounted on ${mountpoint}: use strata set to change it, or strata unmount ${mountpoint} first.`);
  }
  await clearStaleMount(entry);
}

export async function mountUnion(config: UnionConfig, opts: SpawnOptions = {}): Promise<SpawnedWorker> {
  const mountpoint = await resolveMountpoint(config.mountpoint);
  await clearWayFor(mountpoint);
  const checked = await validateForMount({ ...config, mountpoint });
  return spawnWorker(checked, opts);
}

async function waitUntilUnmounted(entry: MountInfoEntry): Promise<void> {
  const deadline = Date.now() + GONE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!(await readMountTable()).some((e) => e.mountId === entry.mountId)) return;
    await sleep(50);
  }
}

export async function unmountUnion(mountpointArg: string, { force = false } = {}): Promise<UnmountOutcome> {
  const mountpoint = await resolveMountpoint(mountpointArg);
  const entry = await strataMountAt(mountpoint);
  // The guard names who holds the union; the kernel's EBUSY (the worker's answer) stays as the backstop.
  await guardUnmount(mountpoint, { force });
  try {
    const outcome = await controlRequest<StopOutcome>(mountpoint, { op: 'stop', force });
    await waitUntilUnmounted(entry);
    return outcome.lazy ? 'detached' : 'unmounted';
  } catch (err) {
    if ((err as StrataError).code !== 'UNAVAILABLE' && (err as StrataError).code !== 'WORKER_FAILED') throw err;
    const health = await probeMount(mountpoint);
    if (health === 'dead') {
      await clearStaleMount(entry);
      return 'cleared-stale';
    }
    if (!force) {
      throw new StrataError('WORKER_FAILED', `${mountpoint} is mounted but its worker does not answer: run strata unmount --force ${mountpoint} to cut it off and detach it.`);
    }
    if (health === 'hung') await clearStaleMount(entry);
    else await fusermountUnmount(mountpoint, { lazy: true });
    return 'detached';
  }
}

/** One row of `strata list` for a mount whose worker did not answer. */
async function unansweredStatus(entry: MountInfoEntry, err: unknown): Promise<MountStatus> {
  const base = { mountpoint: entry.mountpoint, name: entry.source.replace(/^strata:/, ''), branches: [] };
  const health = await probeMount(entry.mountpoint);
  if (health === 'dead') {
    return { ...base, state: 'stale', problem: 'Its worker is gone (Transport endpoint is not connected): strata sweep, or mounting it again, clears it.' };
  }
  if (health === 'hung') {
    return { ...base, state: 'error', problem: 'It does not answer filesystem requests: strata unmount --force clears it.' };
  }
  if ((err as StrataError).code === 'WORKER_FAILED') return { ...base, state: 'error', problem: (err as Error).message };
  return { ...base, state: 'error', problem: `It serves files, but no worker answers on ${controlSocketPath(entry.mountpoint)}: it was mounted by another Strata installation or with another STRATA_RUNTIME_DIR.` };
}

export async function listUnions(): Promise<MountStatus[]> {
  const mounts = await strataMounts();
  return Promise.all(mounts.map((entry) =>
    controlRequest<MountStatus>(entry.mountpoint, { op: 'status' }, STATUS_TIMEOUT_MS).catch((err) => unansweredStatus(entry, err))));
}

/** Any control request to the union mounted on `mountpointArg` (status, stats, where, preview, handles). */
export async function queryUnion<T>(mountpointArg: string, req: ControlRequest): Promise<T> {
  const mountpoint = await resolveMountpoint(mountpointArg);
  await strataMountAt(mountpoint);
  return controlRequest<T>(mountpoint, req);
}

/** Live change through the control channel; branches are checked here first so bad input changes nothing. */
export async function reconfigureUnion(mountpointArg: string, patch: UnionConfigPatch, { force = false } = {}): Promise<UnionConfig> {
  const mountpoint = await resolveMountpoint(mountpointArg);
  await strataMountAt(mountpoint);
  validateConfigPatch(mountpoint, patch);
  if (patch.branches) await validateBranchDirs(mountpoint, patch.branches);
  await guardReconfigure(mountpoint, patch, { force });
  return controlRequest<UnionConfig>(mountpoint, { op: 'reconfigure', patch, force });
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
