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

/**
 * How long the server lets one request run before it answers TIMEOUT. Most answer in seconds or name the
 * union that does not; mounting waits for a worker's readiness (up to 20 s), a folder dialog for the user.
 * The renderer waits a little longer (CLIENT_GRACE_MS), so the server's answer, which names the union,
 * normally arrives first.
 */
const QUICK_MS = 8_000;
const WORKER_MS = 30_000;
const USER_MS = 10 * 60_000;

/** One request: its deadline, and (as types only, never set) its argument object and result. */
export interface RequestSpec<A, R> {
  readonly deadlineMs: number;
  readonly types?: (args: A) => R;
}

function request<A, R>(deadlineMs = QUICK_MS): RequestSpec<A, R> {
  return { deadlineMs };
}

/**
 * Every request, declared once: `<service>:<method>` → its argument, result and deadline. The channel list,
 * the types below, the validators (apiArgs.ts), the handlers (service/dispatch.ts), the Electron IPC
 * registration and the HTTP routes all derive from these keys.
 */
export const REQUESTS = {
  'unions:list': request<Nothing, UnionSummary[]>(),
  /** Creates or replaces a saved union. `previousMountpoint` renames a stopped union's mountpoint. */
  'unions:save': request<{ definition: UnionDefinition; previousMountpoint?: string }, UnionSummary>(WORKER_MS),
  'unions:delete': request<{ mountpoint: string }, null>(),
  'unions:mount': request<{ mountpoint: string }, UnionSummary>(WORKER_MS),
  /**
   * Refused with code BUSY (details: BusyReport) while processes hold files, unless `force`. Null when
   * the union was never saved (mounted with the CLI), so there is no row left to show.
   */
  'unions:unmount': request<{ mountpoint: string; force?: boolean }, UnionSummary | null>(WORKER_MS),
  /** Applies a change to a mounted union at once and saves it; removing a busy branch is refused (BUSY). */
  'unions:setLive': request<{ mountpoint: string; patch: UnionConfigPatch }, UnionSummary>(WORKER_MS),
  'unions:where': request<{ mountpoint: string; relPath: string }, WhereResult>(),
  /** Where a new entry would land under `config` (saved, mounted or still a draft in the editor). */
  'unions:preview': request<{ config: UnionConfig; relPath: string; fn?: CreateFunction }, PreviewResult>(),
  'maps:snapshot': request<Nothing, MapsSnapshot>(),
  /** The recent activity samples of one mounted union, oldest first. */
  'stats:get': request<{ mountpoint: string }, StatsSample[]>(),
  'fs:complete': request<{ prefix: string }, PathCompletion>(),
  'fs:space': request<{ paths: string[] }, SpaceInfo[]>(),
  /** What is at each path (folder, file, missing, empty, mounted on), for checking fields as the user types. */
  'fs:check': request<{ paths: string[] }, PathFacts[]>(),
  /** A native folder dialog in Electron; always null in the browser, which uses fs:complete instead. */
  'fs:pickFolder': request<{ title?: string }, string | null>(USER_MS),
  'policies:list': request<Nothing, PolicyCatalog>(),
  /** The union as an fstab line, a systemd mount unit and a `strata mount` command. */
  'unions:export': request<{ mountpoint: string }, UnionExport>(),
  /** Mounts again a union whose worker died (saved, or last seen mounted from outside the app). */
  'unions:recover': request<{ mountpoint: string }, UnionSummary>(WORKER_MS),
  'settings:get': request<Nothing, HostSettings>(),
  'settings:set': request<{ startAtLogin: boolean }, HostSettings>(),
};

export type Channel = keyof typeof REQUESTS;
export type ArgsOf<C extends Channel> = (typeof REQUESTS)[C] extends RequestSpec<infer A, unknown> ? A : never;
export type ResultOf<C extends Channel> = (typeof REQUESTS)[C] extends RequestSpec<never, infer R> ? R : never;

export const CHANNELS = Object.keys(REQUESTS) as Channel[];

/** One event: the data it carries, as a type only (never set). */
export interface EventSpec<T> {
  readonly types?: (data: T) => void;
}

const event = <T>(): EventSpec<T> => ({});

/**
 * Events pushed to every renderer, declared once like the requests. Like Podman Desktop's, they say
 * "something changed"; stores re-fetch (debounced), which also makes a reconnect after a dropped
 * connection harmless.
 */
const EVENT_SPECS = {
  'unions:changed': event<{ at: number }>(),
  'maps:changed': event<{ at: number }>(),
  'stats:tick': event<StatsSample>(),
  /** Something the user should hear about even with no window open (notices.ts). */
  'notice': event<Notice>(),
};

export type EventName = keyof typeof EVENT_SPECS;
export type ApiEvents = { [E in EventName]: (typeof EVENT_SPECS)[E] extends EventSpec<infer T> ? T : never };
export const EVENTS = Object.keys(EVENT_SPECS) as EventName[];

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

export function apiDeadlineMs(channel: Channel): number {
  return REQUESTS[channel].deadlineMs;
}

export const CLIENT_GRACE_MS = 2_000;

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && (CHANNELS as readonly string[]).includes(value);
}

export function isEventName(value: unknown): value is EventName {
  return typeof value === 'string' && (EVENTS as readonly string[]).includes(value);
}
