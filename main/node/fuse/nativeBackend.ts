/**
 * Strata's own FUSE backend: its FUSE server in native/fuse (libfuse only mounts), on native threads;
 * what the addon cannot answer itself goes to FuseOps on this process's JS thread (nativeDispatch.ts).
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { loadAddon } from '../sys/load.ts';
import { createDispatch, type Dispatch, type Reply } from './nativeDispatch.ts';
import type { DirectIoOps } from './nativeOps.ts';
import { mountOptionString, nativeConfig, type NativeConfig } from './nativeOptions.ts';
import {
  type BackendCapabilities,
  type BranchModes,
  type FuseBackend,
  type FuseOps,
  type MountedFs,
  type MountOptions,
  type NativeHandle,
  NO_BRANCH_MODES,
  type ResolvedDirs,
  type ServedNatively,
  type StandingRequest,
} from './ops.ts';
import { blockDeviceKey } from '../../common/blockDevice.ts';
import { ENOTDIR, FsError, hasErrno } from '../sys/errno.ts';
import { fusermountUnmount } from './fusermount.ts';

type EventKind = 'ready' | 'failed' | 'exited';

interface NativeMount extends ResolvedDirs {
  unmount(): Promise<void>;
  destroy(): Promise<void>;
  invalidate(path: string): Promise<void>;
  invalidateAll(): Promise<void>;
  stats(): ServedNatively;
  requests(): { since: number; device: number }[];
}

interface NativeAddon {
  Mount: new (
    mountpoint: string,
    options: string,
    config: NativeConfig,
    dispatch: Dispatch,
    onEvent: (kind: EventKind, code: number) => void,
    onChange: (rel: string) => void,
  ) => NativeMount;
  reply: Reply;
}

const capabilities: BackendCapabilities = {
  name: 'native',
  callerContext: true,
  exactUtimens: true,
  createFlags: true,
  mknod: true,
  wideStat: true,
  coherentCache: true,
  renameFlags: true,
};

export function loadNativeBackend(): FuseBackend | { unavailable: string } {
  if (!existsSync('/dev/fuse')) return { unavailable: '/dev/fuse is missing (load the fuse kernel module)' };
  try {
    return new NativeBackend(loadAddon<NativeAddon>('fuse', 'strata_fuse.node', 'libfuse3-dev, pkg-config'));
  } catch (err) {
    return { unavailable: (err as Error).message };
  }
}

/**
 * The union is built before its mount: what it publishes reaches the native mount from its creation
 * until its loop ends. Nothing is lost before: no request has been answered yet, the one standing
 * setting (branchModes) is handed on when the mount attaches, and so are the inode numbers the engine
 * gave meanwhile, after which the mount gives them all.
 */
class ResolvedRelay implements ResolvedDirs {
  target?: ResolvedDirs;
  private modes: BranchModes = NO_BRANCH_MODES;
  private early: [dev: bigint, branchIno: bigint, ino: bigint][] = [];
  attach(target: ResolvedDirs): void {
    this.target = target;
    target.branchModes(this.modes);
    for (const [dev, branchIno, ino] of this.early) target.numberIno(dev, branchIno, ino);
    this.early = [];
  }
  branchModes(modes: BranchModes): void {
    this.modes = modes;
    this.target?.branchModes(modes);
  }
  putDir(rel: string, roots: number[], ttlMs: number): void {
    this.target?.putDir(rel, roots, ttlMs);
  }
  dropDirs(rel: string): void {
    this.target?.dropDirs(rel);
  }
  publishedFor(rel: string, gen: number): number {
    return this.target?.publishedFor(rel, gen) ?? 0;
  }
  numberIno(dev: bigint, branchIno: bigint, ino: bigint): void {
    if (this.target) this.target.numberIno(dev, branchIno, ino);
    else this.early.push([dev, branchIno, ino]);
  }
  numberFor(dev: bigint, branchIno: bigint): bigint | undefined {
    return this.target?.numberFor(dev, branchIno);
  }
  handles(): NativeHandle[] {
    return this.target?.handles() ?? [];
  }
  repointHandle(fh: number, fd: number, root: number): boolean {
    return this.target?.repointHandle(fh, fd, root) ?? false;
  }
  passedThrough(fh: number): boolean {
    return this.target?.passedThrough(fh) ?? false;
  }
}

class NativeBackend implements FuseBackend {
  readonly capabilities = capabilities;
  readonly resolved = new ResolvedRelay();

  constructor(private readonly addon: NativeAddon) {}

  async mount(mountpoint: string, ops: FuseOps, options: MountOptions): Promise<MountedFs> {
    // libfuse only prints why a mountpoint is unusable; check first so the error says it.
    if (!(await stat(mountpoint)).isDirectory()) throw new FsError(ENOTDIR, `${mountpoint} is not a directory`);
    const dispatch = createDispatch(ops as DirectIoOps, this.addon.reply);
    return new Promise((resolve, reject) => {
      let mounted: LiveMount | undefined;
      const detach = () => {
        if (this.resolved.target === native) this.resolved.target = undefined;
      };
      const native = new this.addon.Mount(
        mountpoint,
        mountOptionString(options),
        nativeConfig(options),
        dispatch,
        (kind, code) => {
          if (kind === 'ready') {
            mounted = new LiveMount(mountpoint, native, detach);
            resolve(mounted);
          } else if (mounted) {
            // The loop ends once the kernel lets go: after unmount(), or an unmount from outside.
            mounted.loopEnded();
          } else {
            const reason = code ? ` (errno ${code})` : '';
            detach();
            native.destroy().finally(() => reject(new Error(`FUSE mount on ${mountpoint} failed${reason}; libfuse printed why on stderr`)));
          }
        },
        (rel) => options.onBranchChange?.(rel),
      );
      // Requests may reach the engine before 'ready' does: what it publishes answering them counts.
      this.resolved.attach(native);
    });
  }
}

class LiveMount implements MountedFs {
  private destroyed?: Promise<void>;
  private settleEnded!: () => void;
  readonly ended = new Promise<void>((resolve) => (this.settleEnded = resolve));

  constructor(
    private readonly mountpoint: string,
    private readonly native: NativeMount,
    private readonly detach: () => void,
  ) {}

  loopEnded(): void {
    this.detach();
    this.destroyed ??= this.native.destroy();
    this.settleEnded();
  }

  async unmount(): Promise<void> {
    if (!this.destroyed) {
      try {
        await this.native.unmount();
      } catch (err) {
        // umount2 needs CAP_SYS_ADMIN; unprivileged mounts go through the setuid helper instead.
        if (!hasErrno(err, 'EPERM')) throw err;
        await fusermountUnmount(this.mountpoint);
      }
      this.loopEnded();
    }
    await this.destroyed;
  }

  invalidate(path: string): void {
    // Best effort: ENOENT just means the kernel holds nothing for that path.
    this.native.invalidate(path).catch(() => {});
  }

  invalidateAll(): Promise<void> {
    return this.native.invalidateAll();
  }

  requests(): StandingRequest[] {
    return this.native.requests().map(({ since, device }) => ({ since, disk: blockDeviceKey(device) }));
  }

  servedNatively(): ServedNatively {
    return this.native.stats();
  }
}
