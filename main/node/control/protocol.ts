/**
 * How a spawner and a mount worker talk before the control socket exists: the UnionConfig goes in through
 * an environment variable, and the worker answers on an inherited pipe (fd 3) with exactly one line,
 * ready or failed, then closes it, so the spawner can detach.
 */
import type { BackendName, MountOrigin } from '../../common/contract.ts';
import type { StrataErrorData } from '../../common/errors.ts';

export const CONFIG_ENV = 'STRATA_WORKER_CONFIG';
export const READY_FD = 3;
/** How the worker was asked to mount, beyond its UnionConfig: JSON of WorkerLaunch. */
export const LAUNCH_ENV = 'STRATA_WORKER_LAUNCH';

export interface WorkerLaunch {
  origin: MountOrigin;
  /** Kernel mount flags for the union's own mount (`ro`, `noexec`, ...), from fstab's options. */
  kernelFlags?: string[];
  /** allow_other for a union a non-root user mounts (root's unions always have it). */
  allowOther?: boolean;
  /**
   * The mount's source in mountinfo, instead of `strata:NAME`: an fstab union shows its fstab source,
   * which is how `mount -a` tells it is already mounted.
   */
  fsname?: string;
}

export type WorkerReadyMessage = { ok: true; pid: number; backend: BackendName; socket: string; warning?: string } | { ok: false; error: StrataErrorData };
