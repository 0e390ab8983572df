/**
 * The one typed contract between every Strata process: the mount worker's control channel, the CLI,
 * the Electron main process, the preload bridge, `strata serve` and the renderer all speak these types.
 * Pure TypeScript: no Node or Electron imports.
 */
import type { BranchMode, BranchSpec } from './branch.ts';
import type { StrataErrorData } from './errors.ts';
import type { PassthroughMode } from './passthrough.ts';
import type { CopyupPolicyName } from './policies/names.ts';
import type { CreateFunction, Exclusion, PolicyErrno } from './policies/types.ts';

/** Everything that defines a union. Saved by the app, sent to a worker, changed live by `set`. */
export interface UnionConfig {
  mountpoint: string;
  /** Display name; defaults to the mountpoint's basename. */
  name: string;
  branches: BranchSpec[];
  /** Create policy setting, e.g. 'tdp', 'mfs:30', 'mfsrr:1073741824:30', 'epmfs'. */
  create: string;
  /** mergerfs-style per-function overrides (func.mkdir=...). */
  createOverrides: Partial<Record<CreateFunction, string>>;
  copyup: CopyupPolicyName;
  /** Global minimum free space in bytes for create policies (per-branch values override it). */
  minFreeSpace: number;
  /** On ENOSPC/EDQUOT during write, move the file to the branch this create policy picks and retry; false disables. */
  moveOnEnospc: false | string;
  /** Which files the kernel reads and writes itself (passthrough.ts). */
  passthrough: PassthroughMode;
}

export type UnionConfigPatch = Partial<Omit<UnionConfig, 'mountpoint'>>;

export interface BranchStatus {
  index: number;
  path: string;
  mode: BranchMode;
  minFreeSpace?: number;
  /** Bytes, from statvfs of the branch root; absent when statvfs failed. */
  total?: number;
  avail?: number;
  used?: number;
  mountedReadOnly?: boolean;
  error?: string;
}

export type BackendName = 'fuse-native' | 'native';
/** Who started a union's worker: the app or `strata serve`, `strata mount`, or mount(8) from fstab/systemd. */
export type MountOrigin = 'app' | 'cli' | 'fstab';
/**
 * 'hung': a mount exists and its worker is alive but has not answered within the deadline (stopped, or
 * sitting on a request); its actions are abort and detach. 'stale': the worker is gone.
 */
export type MountState = 'mounted' | 'hung' | 'stale' | 'stopped' | 'error';

export interface MountStatus {
  mountpoint: string;
  name: string;
  state: MountState;
  /** Worker pid, when one is serving. */
  pid?: number;
  backend?: BackendName;
  config?: UnionConfig;
  branches: BranchStatus[];
  startedAt?: number;
  /** For 'stale'/'error'/'hung': what happened, in one sentence. */
  problem?: string;
  /** For 'hung': since when (epoch ms) the worker has not answered. */
  hungSince?: number;
  /** Set for another user's union: the name of the user who mounted it (only their Strata can manage it). */
  owner?: string;
  /** When this status was read (epoch ms). */
  checkedAt?: number;
  origin?: MountOrigin;
}

export interface OpStats {
  at: number;
  /** Cumulative count per FUSE op name since mount. */
  ops: Record<string, number>;
  /**
   * Counts that say how the requests in `ops` were served (io_uring, passthrough, prefill, copyup: a
   * copy-up made on the FUSE thread, published: a directory resolved there, spun: taken by the spinning
   * reader without a wake-up) or what they carried (readdirplus: names, forget: nodes), and the spinning
   * reader's reads of the device (spin_reads, a request taken or none), since mount: not requests
   * themselves.
   */
  served: Record<string, number>;
  bytesRead: number;
  bytesWritten: number;
  openHandles: number;
  /** Copy-ups made, by the engine and on the FUSE threads (served.copyup). */
  copyups: number;
}

export interface WhereCopy {
  branch: number;
  branchRoot: string;
  realPath: string;
  /** 'file' | 'dir' | 'symlink' | 'fifo' | 'socket' | 'char' | 'block' */
  type: string;
  /** This copy is what the union shows (for a directory: every merged layer is visible). */
  visible: boolean;
  /** Why a copy is not visible: 'shadowed' by a higher copy, 'whiteout' or 'opaque' above. */
  hiddenBy?: 'shadowed' | 'whiteout' | 'opaque';
}

export interface WhereResult {
  mountpoint: string;
  relPath: string;
  exists: boolean;
  /** Branch index whose copy the union serves, null when the path does not exist in the union. */
  servingBranch: number | null;
  servingPath: string | null;
  copies: WhereCopy[];
  whiteouts: { branch: number; realPath: string }[];
  opaque: { branch: number; realPath: string }[];
}

export interface PreviewResult {
  mountpoint: string;
  relPath: string;
  fn: CreateFunction;
  /** The policy setting that decided, e.g. 'mfsrr:1073741824:30'. */
  policy: string;
  ok: boolean;
  branch?: number;
  branchPath?: string;
  errno?: PolicyErrno | string;
  /** Ancestor directories that would be created on the chosen branch first. */
  createsParents: string[];
  excluded: Exclusion[];
  note?: string;
}

/** One open handle in a worker's table: the tracker's source for which branch serves a file. */
export interface HandleInfo {
  fh: number;
  relPath: string;
  branch: number;
  realPath: string;
  flags: number;
  openedAt: number;
  /** The union inode number, in decimal as /proc/PID/fdinfo gives it. */
  ino: string;
}

/** One control request: its fields beside `op` and its result, as types only (never set). */
export interface ControlSpec<F, R> {
  readonly types?: (fields: F) => R;
}

const control = <F, R>(): ControlSpec<F, R> => ({});
type NoFields = Record<never, never>;

/**
 * Control channel of a mount worker (JSON lines over a unix socket, one request → one response): every op
 * declared once. The worker's handler table and the server's check derive from these keys, and
 * controlRequest's result type from the op it sends.
 */
const CONTROL_SPECS = {
  status: control<NoFields, MountStatus>(),
  stats: control<NoFields, OpStats>(),
  reconfigure: control<{ patch: UnionConfigPatch; force?: boolean }, UnionConfig>(),
  where: control<{ relPath: string }, WhereResult>(),
  preview: control<{ relPath: string; fn?: CreateFunction }, PreviewResult>(),
  handles: control<NoFields, HandleInfo[]>(),
  stop: control<{ force?: boolean }, StopOutcome>(),
};

export type ControlOp = keyof typeof CONTROL_SPECS;
export const CONTROL_OPS = Object.keys(CONTROL_SPECS) as ControlOp[];

type FieldsOf<O extends ControlOp> = (typeof CONTROL_SPECS)[O] extends ControlSpec<infer F, unknown> ? F : never;
/** Distributes over a union of ops, so ControlRequestOf<ControlOp> is ControlRequest. */
export type ControlRequestOf<O extends ControlOp> = O extends ControlOp ? { op: O } & FieldsOf<O> : never;
export type ControlResultOf<O extends ControlOp> = (typeof CONTROL_SPECS)[O] extends ControlSpec<never, infer R> ? R : never;
export type ControlRequest = ControlRequestOf<ControlOp>;

export function isControlOp(value: unknown): value is ControlOp {
  return typeof value === 'string' && (CONTROL_OPS as readonly string[]).includes(value);
}

export type ControlResponse<T = unknown> = { ok: true; result: T } | { ok: false; error: StrataErrorData };

/** The answer to `stop`: unmounted, cleanly or (forced) by a lazy detach. */
export type StopOutcome = { unmounted: true; lazy: boolean };
