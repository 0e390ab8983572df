/**
 * Types of the mapping tracker: who maps or holds files under a union. Shared by the tracker, the CLI,
 * `strata serve`, the Electron main process and the renderer.
 */

export type MapKind = 'mmap' | 'fd' | 'cwd' | 'root' | 'exe';

export interface MappedEntry {
  pid: number;
  /** Start time of the process in clock ticks after boot (/proc/PID/stat field 22): pid + startTime survive PID reuse. */
  startTime?: number;
  /** /proc/PID/comm */
  command: string;
  uid: number;
  user: string;
  kind: MapKind;
  /** mmap: 'r-xp', 'rw-s', ... */
  perms?: string;
  /** mmap: MAP_SHARED. */
  shared?: boolean;
  /** mmap: the region's address range as in /proc/PID/maps ('7f12a000-7f12d000'), one entry per region. */
  address?: string;
  /** fd: number and access mode. */
  fd?: number;
  access?: 'r' | 'w' | 'rw';
  mountpoint: string;
  /** Path inside the union as the user sees it ('/docs/a.txt'), and its absolute form under the mountpoint. */
  relPath: string;
  virtualPath: string;
  /** Branch index serving the file (from the worker's handle table or a lookup), null when unknown. */
  branch: number | null;
  /** When the worker holds handles for this path on several branches (e.g. opened before and after a copy-up), which ones; `branch` is then null. */
  branchCandidates?: number[];
  /** Real path on the branch, null when unknown. */
  realPath: string | null;
  /** mmap: length of the mapping in bytes; fd: file size when known. */
  size?: number;
  deleted: boolean;
  /** Reached through a branch directory directly, bypassing the union. */
  direct: boolean;
  /** For direct access: is that branch copy what the union shows? */
  directState?: 'visible' | 'shadowed' | 'whiteout';
}

export interface Uninspectable {
  pid: number;
  command?: string;
  uid?: number;
  user?: string;
  reason: string;
}

export interface MapsSnapshot {
  at: number;
  entries: MappedEntry[];
  /** Processes whose /proc could not be read; counted and named, never silently dropped. */
  uninspectable: Uninspectable[];
  /** The snapshot was taken as root, so running as root would not show more. Set by the service. */
  asRoot?: boolean;
}

export interface MapsChange {
  at: number;
  added: MappedEntry[];
  removed: MappedEntry[];
  uninspectable: Uninspectable[];
}

export interface BusyUser {
  pid: number;
  command: string;
  paths: string[];
}

/** The busy-branch guard's answer: why removing a branch (or unmounting) is refused. */
export interface BusyReport {
  busy: boolean;
  users: BusyUser[];
  /** Processes the guard could not inspect (other users' when not root): they may be users too. */
  uninspectable?: Uninspectable[];
}
