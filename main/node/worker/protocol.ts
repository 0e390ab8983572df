/**
 * How a spawner and a mount worker talk before the control socket exists: the UnionConfig goes in through
 * an environment variable, and the worker answers on an inherited pipe (fd 3) with exactly one line,
 * ready or failed, then closes it, so the spawner can detach.
 */
import type { BackendName } from '../../common/contract.ts';
import type { StrataErrorData } from '../../common/errors.ts';

export const CONFIG_ENV = 'STRATA_WORKER_CONFIG';
export const READY_FD = 3;

export type WorkerReadyMessage =
  | { ok: true; pid: number; backend: BackendName; socket: string; warning?: string }
  | { ok: false; error: StrataErrorData };
