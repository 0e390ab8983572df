/**
 * The contract between the renderer and whatever serves it: the Electron preload bridge, the Electron
 * main-process handlers and `strata serve` all implement exactly these requests and events, so the
 * renderer cannot tell which one it talks to. Pure types and constants (no Node or Electron imports);
 * the argument validators that both servers run live in apiArgs.ts.
 */
import type { BranchStatus, MountOrigin, MountState, OpStats, PreviewResult, UnionConfig, UnionConfigPatch, WhereResult } from './contract.ts';
import type { StrataErrorData } from './errors.ts';
import type { UnionExport } from './export/unionExport.ts';
import type { PathFacts } from './folderChecks.ts';
import type { Notice } from './notices.ts';
import type { MapsSnapshot } from './maps.ts';
import type { PolicyInfo as RegistryPolicyInfo } from './policies/catalog.ts';
import type { CreateFunction } from './policies/types.ts';

/** A union as the app saves it: its configuration plus what only the app cares about. */
export interface UnionDefinition {
  config: UnionConfig;
  /** Mount it when the app (or `strata serve`) starts. */
  autoMount: boolean;
}

/** One row of the unions list: the saved definition (if any) joined with the live mount state. */
export interface UnionSummary {
  mountpoint: string;
  name: string;
  state: MountState;
  /** A mount exists at the mountpoint (state mounted, stale, or error with a worker that does not answer). */
  mountExists: boolean;
  /** false for a union someone mounted with the CLI and never saved in the app. */
  saved: boolean;
  autoMount: boolean;
  config: UnionConfig;
  /** Live branch state, with space figures also for a stopped union (read from the branch roots). */
  branches: BranchStatus[];
  pid?: number;
  /** For 'stale', 'hung' and 'error': what happened, in one sentence. */
  problem?: string;
  /** For 'hung': since when (epoch ms) the union has not answered. */
  hungSince?: number;
  /** When the live figures in this row were last read (epoch ms); older than a poll means stale data. */
  checkedAt?: number;
  /** Who mounted it, when its worker says: 'fstab' marks a system union (mount(8), fstab, systemd). */
  origin?: MountOrigin;
}

/** What the policy pickers show of each policy: the registry's description without aliases. */
export type PolicyInfo = Pick<RegistryPolicyInfo, 'name' | 'family' | 'form' | 'args' | 'summary'>;

export interface PolicyCatalog {
  create: PolicyInfo[];
  copyup: PolicyInfo[];
}

/** Space of any directory, for the usage bars of branches that are not saved yet. */
export interface SpaceInfo {
  path: string;
  total?: number;
  avail?: number;
  used?: number;
  /** Why the figures are missing (the directory does not exist, ...). */
  error?: string;
}

export interface PathCompletion {
  /** The directory that was listed. */
  dir: string;
  /** Absolute paths of the subdirectories matching what was typed, sorted, at most 50. */
  dirs: string[];
}

/** One activity sample of a mounted union: rates since the previous sample, free space per branch. */
export interface StatsSample {
  mountpoint: string;
  at: number;
  opsPerSec: number;
  readBytesPerSec: number;
  writeBytesPerSec: number;
  /** Free bytes per branch, by branch index; null when statvfs failed. */
  branchAvail: (number | null)[];
  /** The worker's cumulative counters, for totals. */
  totals: OpStats;
}

/** Where mount(8) finds `strata` for fstab and systemd mounts; null with advice when it does not. */
export interface FstabCli {
  path: string | null;
  advice?: string;
}

/** Settings that belong to the host rather than to a union; null where the host cannot have them. */
export interface HostSettings {
  /** An XDG autostart entry starts the app hidden at login (Electron only). */
  startAtLogin: boolean | null;
  fstabCli: FstabCli;
}

export interface Nothing {
  [key: string]: never;
}

/** Every request: `<service>:<method>` → its single argument object and its result. */
export interface ApiRequests {
  'unions:list': { args: Nothing; result: UnionSummary[] };
  /** Creates or replaces a saved union. `previousMountpoint` renames a stopped union's mountpoint. */
  'unions:save': { args: { definition: UnionDefinition; previousMountpoint?: string }; result: UnionSummary };
  'unions:delete': { args: { mountpoint: string }; result: null };
  'unions:mount': { args: { mountpoint: string }; result: UnionSummary };
  /**
   * Refused with code BUSY (details: BusyReport) while processes hold files, unless `force`. Null when
   * the union was never saved (mounted with the CLI), so there is no row left to show.
   */
  'unions:unmount': { args: { mountpoint: string; force?: boolean }; result: UnionSummary | null };
  /** Applies a change to a mounted union at once and saves it; removing a busy branch is refused (BUSY). */
  'unions:setLive': { args: { mountpoint: string; patch: UnionConfigPatch }; result: UnionSummary };
  'unions:where': { args: { mountpoint: string; relPath: string }; result: WhereResult };
  /** Where a new entry would land under `config` (saved, mounted or still a draft in the editor). */
  'unions:preview': { args: { config: UnionConfig; relPath: string; fn?: CreateFunction }; result: PreviewResult };
  'maps:snapshot': { args: Nothing; result: MapsSnapshot };
  /** The recent activity samples of one mounted union, oldest first. */
  'stats:get': { args: { mountpoint: string }; result: StatsSample[] };
  'fs:complete': { args: { prefix: string }; result: PathCompletion };
  'fs:space': { args: { paths: string[] }; result: SpaceInfo[] };
  /** What is at each path (folder, file, missing, empty, mounted on), for checking fields as the user types. */
  'fs:check': { args: { paths: string[] }; result: PathFacts[] };
  /** A native folder dialog in Electron; always null in the browser, which uses fs:complete instead. */
  'fs:pickFolder': { args: { title?: string }; result: string | null };
  'policies:list': { args: Nothing; result: PolicyCatalog };
  /** The union as an fstab line, a systemd mount unit and a `strata mount` command. */
  'unions:export': { args: { mountpoint: string }; result: UnionExport };
  /** Mounts again a union whose worker died (saved, or last seen mounted from outside the app). */
  'unions:recover': { args: { mountpoint: string }; result: UnionSummary };
  'settings:get': { args: Nothing; result: HostSettings };
  'settings:set': { args: { startAtLogin: boolean }; result: HostSettings };
}

export type Channel = keyof ApiRequests;
export type ArgsOf<C extends Channel> = ApiRequests[C]['args'];
export type ResultOf<C extends Channel> = ApiRequests[C]['result'];

export const CHANNELS = [
  'unions:list', 'unions:save', 'unions:delete', 'unions:mount', 'unions:unmount', 'unions:setLive',
  'unions:where', 'unions:preview', 'maps:snapshot', 'stats:get', 'fs:complete', 'fs:space',
  'fs:check', 'fs:pickFolder', 'policies:list', 'unions:export', 'unions:recover', 'settings:get', 'settings:set',
] as const satisfies readonly Channel[];

/**
 * Events pushed to every renderer. Like Podman Desktop's, they say "something changed"; stores re-fetch
 * (debounced), which also makes a reconnect after a dropped connection harmless.
 */
export interface ApiEvents {
  'unions:changed': { at: number };
  'maps:changed': { at: number };
  'stats:tick': StatsSample;
  /** Something the user should hear about even with no window open (notices.ts). */
  'notice': Notice;
}

export type EventName = keyof ApiEvents;
export const EVENTS = ['unions:changed', 'maps:changed', 'stats:tick', 'notice'] as const satisfies readonly EventName[];

/** Errors cross as data: exceptions never leave a server, so the renderer always gets a code and a sentence. */
export type ApiResponse<T> = { result: T } | { error: StrataErrorData };

/** What the renderer talks to, whichever side implements it. */
export interface StrataBridge {
  readonly environment: 'electron' | 'browser';
  invoke<C extends Channel>(channel: C, args: ArgsOf<C>): Promise<ApiResponse<ResultOf<C>>>;
  /** Returns a function that stops listening. */
  on<E extends EventName>(event: E, listener: (data: ApiEvents[E]) => void): () => void;
}

export type ApiDeadline = (channel: Channel) => number;

/**
 * How long the server lets one request run before it answers TIMEOUT. Mounting waits for a worker's
 * readiness (up to 20 s) and a folder dialog for the user; everything else answers in seconds or names
 * the union that does not. The renderer waits a little longer (CLIENT_GRACE_MS), so the server's
 * answer, which names the union, normally arrives first.
 */
export function apiDeadlineMs(channel: Channel): number {
  if (channel === 'fs:pickFolder') return 10 * 60_000;
  if (channel === 'unions:mount' || channel === 'unions:recover' || channel === 'unions:unmount' || channel === 'unions:setLive' || channel === 'unions:save') return 30_000;
  return 8_000;
}

export const CLIENT_GRACE_MS = 2_000;

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (EVENTS as readonly string[]).includes(value);
}
