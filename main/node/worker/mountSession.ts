/**
 * One mounted union inside its worker: the Union, the FUSE mount and the control socket, and how they
 * end. A clean stop unmounts and exits. A busy mount stays served and reports BUSY, unless the stop is
 * forced (`--force`, SIGTERM): then it is detached lazily and served until the kernel drops the last
 * reference, so processes that still had files open keep working instead of seeing ENOTCONN.
 */
import type { BackendName, MountStatus, OpStats, StopOutcome, UnionConfig, UnionConfigPatch } from '../../common/contract.ts';
import { StrataError } from '../../common/errors.ts';
import type { FuseBackend, MountedFs, MountOptions, StandingRequest } from '../fuse/ops.ts';
import { hasErrno } from '../sys/errno.ts';
import { fusermountUnmount } from '../fuse/fusermount.ts';
import { publishBranchList, withdrawBranchList } from '../mounts/branchListFile.ts';
import { connectionAlive, connectionInode } from '../mounts/fuseConnection.ts';
import { mountAt, readMountTable } from '../mounts/mountTable.ts';
import { mountOnTop, STRATA_FSTYPE, type MountInfoEntry } from '../../common/mountinfo.ts';
import { removeWorkerPid } from '../control/workerPid.ts';
import { validateBranchDirs } from '../mounts/validate.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Union } from '../union/union.ts';
import type { ControlServer } from './controlServer.ts';
import { log } from './log.ts';
import { DiskHeadway, FOLLOW_MS } from './diskHeadway.ts';
import { PendingRequests, followDisks, hungSince } from './pendingRequests.ts';
import { chooseCallMode } from './callMode.ts';
import { commandLine } from '../../common/shellQuote.ts';
import type { WorkerLaunch } from '../control/protocol.ts';

/** How often a worker looks whether its union was unmounted from outside (lazily, so the connection lives on). */
export const WATCH_INTERVAL_MS = 2000;

/**
 * The kernel caches attributes, entries and missing names for 1 s where the backend keeps that
 * coherent, as the native one does: it watches the branches and invalidates what a change made
 * directly in one affects, tells the other names of a hard link when one changes, refreshes the mode
 * after an ACL change, and drops everything when the union is reconfigured
 * (native/fuse/src/invalidator.h). The page cache is kept across opens only while mtime and size are
 * unchanged.
 */
export function mountOptionsFor(name: string, coherentCache: boolean): MountOptions {
  const root = process.getuid?.() === 0;
  // Without invalidation (fuse-native) attributes are not cached at all, and entries only briefly:
  // the kernel drops those itself on changes made through the union.
  const seconds = coherentCache ? cacheTimeout() : 0;
  return {
    fsname: `strata:${name}`,
    subtype: 'strata',
    attrTimeout: seconds,
    entryTimeout: coherentCache ? seconds : 1,
    negativeTimeout: seconds,
    kernelCache: true,
    // STRATA_PASSTHROUGH=0 turns it off (to compare, or to see every read and write in the activity counts).
    passthrough: root && process.env.STRATA_PASSTHROUGH !== '0',
    // STRATA_IO_URING=0 keeps every request on /dev/fuse reads (to compare).
    ioUring: process.env.STRATA_IO_URING !== '0',
    // STRATA_SPIN=0: every reader sleeps until the kernel wakes it (to compare).
    spin: process.env.STRATA_SPIN !== '0',
    // A root-run union is meant for the desktop user too; default_permissions then makes the kernel
    // enforce the modes the union reports, as for any local filesystem.
    allowOther: root,
    defaultPermissions: true,
  };
}

/** STRATA_CACHE_TIMEOUT (seconds) overrides the 1 s default; tests lengthen it to prove invalidation. */
function cacheTimeout(): number {
  const given = process.env.STRATA_CACHE_TIMEOUT;
  if (given === undefined) return 1;
  const seconds = Number(given);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds;
  log(`ignoring STRATA_CACHE_TIMEOUT=${given}: not a number of seconds`);
  return 1;
}

export class MountSession {
  private stopping?: Promise<StopOutcome>;
  private minor?: number;
  private connection?: number;
  private readonly startedAt = Date.now();
  private readonly disks = new DiskHeadway();

  constructor(
    readonly union: Union,
    private readonly backendName: BackendName,
    private readonly mounted: MountedFs,
    private readonly control: ControlServer,
    private readonly exit: (code: number) => void,
    private readonly pending: PendingRequests,
    private readonly launch?: WorkerLaunch,
  ) {}

  static async start(union: Union, backend: FuseBackend, control: ControlServer, exit: (code: number) => void, launch?: WorkerLaunch): Promise<MountSession> {
    const { mountpoint, name } = union.config;
    const defaults = mountOptionsFor(name, backend.capabilities.coherentCache);
    const options = {
      ...defaults,
      allowOther: defaults.allowOther || (launch?.allowOther ?? false),
      fsname: launch?.fsname ?? defaults.fsname,
      kernelFlags: launch?.kernelFlags,
      onBranchChange: (rel: string) => union.branchChanged(rel),
    };
    const pending = new PendingRequests();
    const mounted = await backend.mount(mountpoint, pending.wrap(union.ops), options);
    const session = new MountSession(union, backend.capabilities.name, mounted, control, exit, pending, launch);
    session.minor = (await mountAt(mountpoint))?.minor;
    if (session.minor !== undefined) session.connection = await connectionInode(session.minor);
    session.watchForExternalUnmount();
    session.followDisks();
    return session;
  }

  get mountpoint(): string {
    return this.union.config.mountpoint;
  }

  /** The engine's activity counts, with the requests the backend served without it. */
  stats(): OpStats {
    const engine = this.union.stats();
    const native = this.mounted.servedNatively?.();
    if (!native) return engine;
    const ops = { ...engine.ops };
    for (const [op, n] of Object.entries(native.ops)) if (n > 0) ops[op] = (ops[op] ?? 0) + n;
    return {
      ...engine,
      ops,
      served: native.served,
      bytesRead: engine.bytesRead + native.bytesRead,
      bytesWritten: engine.bytesWritten + native.bytesWritten,
      copyups: engine.copyups + (native.served.copyup ?? 0),
    };
  }

  /**
   * New branches or policies: what the kernel cached was resolved under the old ones. New branches are
   * published together with the old ones before they are checked, so when two unions are set to
   * contain each other at the same moment, at least one of the two checks sees the other's new
   * branches and refuses.
   */
  async reconfigure(patch: UnionConfigPatch, force: boolean): Promise<UnionConfig> {
    const published = () => this.union.config.branches.map((b) => b.path);
    try {
      if (patch.branches) {
        const both = [...published(), ...patch.branches.map((b) => b.path)];
        await publishBranchList(this.mountpoint, both);
        await chooseCallMode(this.union.deps.sys, both);
        await validateBranchDirs(this.mountpoint, patch.branches);
      }
      const config = await this.union.reconfigure(patch, force);
      await this.mounted.invalidateAll?.();
      return config;
    } finally {
      if (patch.branches) {
        await publishBranchList(this.mountpoint, published());
        await chooseCallMode(this.union.deps.sys, published());
      }
    }
  }

  async status(): Promise<MountStatus> {
    const since = hungSince(this.standing(), this.disks);
    const branches = await this.union.branchStatus();
    return {
      mountpoint: this.mountpoint,
      name: this.union.config.name,
      state: since === undefined ? 'mounted' : 'hung',
      ...(since === undefined ? {} : { hungSince: since }),
      pid: process.pid,
      backend: this.backendName,
      config: this.union.config,
      branches,
      startedAt: this.startedAt,
      ...(this.launch ? { origin: this.launch.origin } : {}),
    };
  }

  /** Unmounts and arranges the exit; rejects with BUSY (and keeps serving) when busy and not forced. */
  stop(force: boolean): Promise<StopOutcome> {
    this.stopping ??= this.unmount(force).then(
      (outcome) => {
        void this.finish(outcome.lazy);
        return outcome;
      },
      (err: unknown) => {
        this.stopping = undefined;
        throw err;
      },
    );
    return this.stopping;
  }

  private async unmount(force: boolean): Promise<StopOutcome> {
    // Unmounted from outside and not noticed yet (the watch looks every 2 s): whatever is mounted there
    // since, an unmount by path would take down instead.
    const own = await this.ownMount();
    if (own === 'gone') {
      log(`${this.mountpoint} was unmounted from outside Strata`);
      return { unmounted: true, lazy: true };
    }
    // An unmount by path reaches the mount on top, and a lazy one of this union would take it along.
    if (own.covering) throw coveredError(this.mountpoint, own.covering);
    try {
      await this.mounted.unmount();
      log(`unmounted ${this.mountpoint}`);
      await this.union.release();
      return { unmounted: true, lazy: false };
    } catch (err) {
      if (!hasErrno(err, 'EBUSY')) {
        throw new StrataError('INTERNAL', `Unmounting ${this.mountpoint} failed: ${(err as Error).message}.`);
      }
      if (!force) {
        throw new StrataError(
          'BUSY',
          `${this.mountpoint} is busy: processes still have files, directories or their working directory in it. Close them (${commandLine('strata', 'maps', this.mountpoint)} lists them) or run ${commandLine('strata', 'unmount', '--force', this.mountpoint)} to detach it lazily.`,
        );
      }
      await fusermountUnmount(this.mountpoint, { lazy: true });
      log(`detached ${this.mountpoint} lazily; serving open files until they are closed`);
      return { unmounted: true, lazy: true };
    }
  }

  /** After the mount is gone: withdraw the runtime files and the claim, serve lazily-detached users, exit. */
  private async finish(lazy: boolean): Promise<void> {
    await this.withdraw();
    if (lazy && this.minor !== undefined) {
      while (await connectionAlive(this.minor, this.connection)) await sleep(WATCH_INTERVAL_MS);
    }
    await this.union.release();
    // Let the reply to 'stop' reach the client before the process goes.
    setTimeout(() => this.exit(0), 50);
  }

  /** The requests taken and not answered, the engine's and the backend's own. */
  private standing(): StandingRequest[] {
    return [...this.pending.standing(), ...(this.mounted.requests?.() ?? [])];
  }

  /** Reads the disks requests wait on as they wait (diskHeadway.ts), so that status knows whether they move. */
  private followDisks(): void {
    const timer = setInterval(() => {
      if (this.stopping) return clearInterval(timer);
      void followDisks(this.standing(), this.disks);
    }, FOLLOW_MS);
    timer.unref();
  }

  /**
   * This worker's own mount, 'gone' once unmounted from outside, with the mount stacked on it if any;
   * taken as still there and uncovered when that cannot be told.
   */
  private async ownMount(): Promise<'gone' | { covering?: MountInfoEntry }> {
    if (this.minor === undefined) return {};
    const table = await readMountTable().catch(() => null);
    if (!table) return {};
    const own = table.find((e) => e.fstype === STRATA_FSTYPE && e.minor === this.minor && e.mountpoint === this.mountpoint);
    return own ? { covering: mountOnTop(own, table) } : 'gone';
  }

  private async stillMounted(): Promise<boolean> {
    return (await this.ownMount()) !== 'gone';
  }

  /**
   * A stop asked for by a signal (a service manager's, or the user's): a union another mount covers
   * cannot be unmounted without taking that one down, so it is served until that one goes, then
   * unmounted. Rejects on any other failure.
   */
  async stopOnSignal(): Promise<void> {
    let said = false;
    for (;;) {
      try {
        await this.stop(true);
        return;
      } catch (err) {
        // Forced, a stop is refused as BUSY only for a mount on top.
        if (!(err instanceof StrataError && err.code === 'BUSY')) throw err;
        if (!said) log(`${err.message} The union stops once it is gone.`);
        said = true;
        await sleep(WATCH_INTERVAL_MS);
      }
    }
  }

  /**
   * After a crash: detaches this union and withdraws its runtime files, unless another mount covers it
   * (that one would go instead: the stale union left is strata sweep's, files and all); the kernel ends
   * its connection as the process exits.
   */
  async detachAfterCrash(): Promise<void> {
    const own = await this.ownMount();
    if (own !== 'gone' && own.covering) return log(`left ${this.mountpoint} mounted: ${coveredError(this.mountpoint, own.covering).message}`);
    if (own !== 'gone') await fusermountUnmount(this.mountpoint, { lazy: true });
    await this.withdraw();
  }

  /** The runtime files and the claim. */
  private async withdraw(): Promise<void> {
    await removeWorkerPid(this.mountpoint);
    await withdrawBranchList(this.mountpoint);
    await this.control.release();
  }

  /**
   * Someone ran umount or fusermount on the mountpoint directly: nothing left to serve once it is gone.
   * A plain umount ends the connection, which the backend reports at once, so the mountpoint is free
   * for a new union straight away; a lazy one leaves it alive while files are open, which the watch
   * notices.
   */
  private watchForExternalUnmount(): void {
    if (this.minor === undefined) return;
    const check = async () => {
      if (this.stopping || (await this.stillMounted())) return;
      clearInterval(timer);
      // stop() finds it gone too, and serves lazily-detached users until they leave.
      if (!this.stopping) this.stop(true).catch((err: Error) => log(`stop failed: ${err.message}`));
    };
    const timer = setInterval(() => (this.stopping ? clearInterval(timer) : void check()), WATCH_INTERVAL_MS);
    timer.unref();
    void this.mounted.ended?.then(check);
  }
}

/** The refusal to unmount a union another mount covers, with what to do. */
function coveredError(mountpoint: string, covering: MountInfoEntry): StrataError {
  return new StrataError(
    'BUSY',
    `A ${covering.fstype} mount covers ${mountpoint}, and unmounting the union would take it down too: unmount that one first (${commandLine('umount', mountpoint)}).`,
  );
}
