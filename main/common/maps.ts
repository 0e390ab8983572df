/**
 * Types of the mapping tracker: who maps or holds files under a union. Shared by the tracker, the CLI,
 * `strata serve`, the Electron main process and the renderer.
 */

export type MapKind = 'mmap' | 'fd' | 'cwd' | 'root' | 'exe';

export interface MappedEntry {
  pid: number;
  /** /proc/PID/comm */
  command: string;
  uid: number;
  user: string;
  kind: MapKind;
  /** mmap: 'r-xp', 'rw-s', ... */
  perms?: string;
  /** mmap: MAP_SHARED. */
  shared?: boolean;
  /** fd: number and access mode. */
  fd?: number;
  access?: 'r' | 'w' | 'rw';
  mountpoint: string;
  /** Path inside the union as the user sees it ('/docs/a.txt'), and its absolute form under the mountpoint. */
  relPath: string;
  virtualPath: string;
  /** Branch index serving the file (from the worker's handle table or a lookup), null when unknown. */
  branch: number | null;
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
  reason: string;
}

export interface MapsSnapshot {
  at: number;
  entries: MappedEntry[];
  /** Processes whose /proc could not be read; counted and named, never silently dropped. */
  uninspectable: Uninspectable[];
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
}
