/**
 * The body of a /proc reader thread. It runs as an eval'd script (`procReaderWorker.toString()`), so
 * the same code works from the sources, the esbuild bundles and vitest: it must not use anything from
 * its module scope, only the `require` it is given (a bundler would rewrite a bare `require`).
 *
 * Reads are synchronous here on purpose: a /proc walk is thousands of tiny reads, and a synchronous
 * syscall costs a few microseconds where a libuv round trip costs tens. The walk stays off the caller's
 * event loop, and nothing here reads outside /proc, so it never enters a FUSE mount.
 */

/**
 * What of a process can matter to the tracker, so the rest never crosses to the caller's thread: most
 * of a process's maps lines are libraries on the disk that also holds the branches, most of its fds are
 * sockets, pipes and /dev files. Strings as the kernel prints them (latin1 bytes).
 */
export interface ScanFilter {
  /** ' 00:2a ' for each union device: any maps line on it matters. */
  unionDevs: string[];
  /** The same for devices holding branches: a line matters only if its path can be under a branch... */
  branchDevs: string[];
  /** ...which, in the caller's own mount namespace, means starting with one of these. */
  branchPrefixes: string[];
  /** An fd matters, in the caller's own namespace, only if its path starts with one of these (unions and branches). */
  fdPrefixes: string[];
  /** The caller's /proc/self/ns/mnt link: a process elsewhere prints other paths, so nothing is dropped by path. */
  ownNs: string;
}

/** What to read of one process in one go (see ProcessFiles). */
export interface ProcessRequest {
  /** stat (cwd comes with it, and with `filter`). */
  identity: boolean;
  /** st_size of the fd directory. */
  fdCount: boolean;
  /** maps with the namespace link, fd links, cwd and root, filtered by filters[filter]; then `more`. */
  filter?: number;
}

export type Field<T> = { ok: T } | { err: string };

/** One process's files, each read on its own: any of them can fail (process gone, access denied). */
export interface ProcessFiles {
  stat?: Field<string>;
  cwd?: Field<string>;
  fdCount?: Field<number>;
  /** The /proc/PID/ns/mnt link; '' when unreadable (then nothing was dropped by path). */
  ns?: string;
  /** The maps lines that passed the filter. */
  maps?: Field<string>;
  /** [fd name, link target][] of the fds that passed the filter. */
  fds?: Field<[string, string][]>;
  root?: Field<string>;
  /** When anything passed the filter: what the caller would ask next, read in the same go. */
  more?: MoreFiles;
}

export interface MoreFiles {
  /** fdinfo of each fd that passed, by fd name. */
  fdinfo: Record<string, Field<string>>;
  /** The executable link, when maps lines passed (an executable is always mapped). */
  exe?: Field<string>;
  /** map_files links of passed lines whose path holds "\012" (a newline, or those 4 characters), by 'start-end'. */
  mapFiles: Record<string, Field<string>>;
  /** Read last: stat's start time, equal to the first one, proves the pid was not reused meanwhile. */
  stat: Field<string>;
  status: Field<string>;
}

export type ProcOp =
  /**
   * A file's text as latin1. `whole`: a one-record /proc file (stat, status, fdinfo), which the kernel
   * hands out in a single read, so a short read is the end and the read that would return 0 is saved.
   * maps is not one: it comes a page or so per read.
   */
  { op: 'read'; path: string; whole?: boolean } | ({ op: 'process'; pid: number } & ProcessRequest);

export type ProcResult = { ok: string | ProcessFiles } | { err: string };

export interface ProcBatch {
  id: number;
  ops: ProcOp[];
  /** The filters its ops refer to, sent once per batch rather than once per process. */
  filters: Record<number, ScanFilter>;
}

export function procReaderWorker(load: NodeJS.Require): void {
  const { parentPort, workerData } = load('node:worker_threads') as typeof import('node:worker_threads');
  const fs = load('node:fs') as typeof import('node:fs');
  // [batch id, index of the op in progress]: tells the caller which read hangs if a batch never returns.
  const progress = new Int32Array(workerData.progress as SharedArrayBuffer);
  let buf = Buffer.allocUnsafe(1 << 18);

  const readAll = (path: string, whole = false): string => {
    const fd = fs.openSync(path, 'r');
    try {
      let n = 0;
      for (;;) {
        if (n === buf.length) {
          const bigger = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(bigger);
          buf = bigger;
        }
        const r = fs.readSync(fd, buf, n, buf.length - n, null);
        n += r;
        if (r === 0 || (whole && n < buf.length)) return buf.toString('latin1', 0, n);
      }
    } finally {
      fs.closeSync(fd);
    }
  };

  const field = <T>(read: () => T): Field<T> => {
    try {
      return { ok: read() };
    } catch (err) {
      return { err: (err as NodeJS.ErrnoException).code ?? String(err) };
    }
  };

  const mapsLines = (path: string, filter: ScanFilter, foreign: boolean): string =>
    readAll(path)
      .split('\n')
      .filter(
        (line) =>
          filter.unionDevs.some((d) => line.includes(d)) ||
          (filter.branchDevs.some((d) => line.includes(d)) && (foreign || filter.branchPrefixes.some((p) => line.includes(p)))),
      )
      .join('\n');

  /** Could this link be a union or branch path? Elsewhere than our namespace, any path could. */
  const mayMatter = (link: string, filter: ScanFilter, foreign: boolean): boolean =>
    foreign ? link.startsWith('/') : filter.fdPrefixes.some((p) => link.startsWith(p));

  const fdLinks = (dir: string, filter: ScanFilter, foreign: boolean): [string, string][] => {
    const out: [string, string][] = [];
    for (const name of fs.readdirSync(dir)) {
      try {
        const link = fs.readlinkSync(`${dir}/${name}`, 'latin1');
        if (mayMatter(link, filter, foreign)) out.push([name, link]);
      } catch {
        // closed between readdir and readlink: it is no longer held
      }
    }
    return out;
  };

  const moreFiles = (dir: string, maps: string, fds: [string, string][]): MoreFiles => {
    const lines = maps ? maps.split('\n') : [];
    const mapFiles: Record<string, Field<string>> = {};
    for (const line of lines) {
      const range = line.slice(0, line.indexOf(' '));
      if (line.includes('\\012')) mapFiles[range] = field(() => fs.readlinkSync(`${dir}/map_files/${range}`, 'latin1'));
    }
    const fdinfo: Record<string, Field<string>> = {};
    for (const [name] of fds) fdinfo[name] = field(() => readAll(`${dir}/fdinfo/${name}`, true));
    return {
      fdinfo,
      ...(lines.length ? { exe: field(() => fs.readlinkSync(`${dir}/exe`, 'latin1')) } : {}),
      mapFiles,
      stat: field(() => readAll(`${dir}/stat`, true)),
      status: field(() => readAll(`${dir}/status`, true)),
    };
  };

  const processFiles = (op: { pid: number } & ProcessRequest, filters: Record<number, ScanFilter>): ProcessFiles => {
    const dir = `/proc/${op.pid}`;
    const out: ProcessFiles = {};
    if (op.identity) out.stat = field(() => readAll(`${dir}/stat`, true));
    if (op.identity || op.filter !== undefined) out.cwd = field(() => fs.readlinkSync(`${dir}/cwd`, 'latin1'));
    if (op.fdCount) out.fdCount = field(() => fs.statSync(`${dir}/fd`).size);
    if (op.filter === undefined) return out;
    const filter = filters[op.filter];
    const ns = field(() => fs.readlinkSync(`${dir}/ns/mnt`, 'latin1'));
    out.ns = 'ok' in ns ? ns.ok : '';
    const foreign = out.ns !== filter.ownNs;
    out.maps = field(() => mapsLines(`${dir}/maps`, filter, foreign));
    out.fds = field(() => fdLinks(`${dir}/fd`, filter, foreign));
    out.root = field(() => fs.readlinkSync(`${dir}/root`, 'latin1'));
    const maps = 'ok' in out.maps ? out.maps.ok : '';
    const fds = 'ok' in out.fds ? out.fds.ok : [];
    const dirs = [out.cwd, out.root].some((f) => f && 'ok' in f && mayMatter(f.ok, filter, foreign));
    if (maps || fds.length || dirs) out.more = moreFiles(dir, maps, fds);
    return out;
  };

  const run = (op: ProcOp, filters: Record<number, ScanFilter>): ProcResult => {
    return op.op === 'process' ? { ok: processFiles(op, filters) } : field(() => readAll(op.path, op.whole));
  };

  parentPort!.on('message', (batch: ProcBatch) => {
    Atomics.store(progress, 0, batch.id);
    const results = batch.ops.map((op, i) => {
      Atomics.store(progress, 1, i);
      return run(op, batch.filters);
    });
    parentPort!.postMessage({ id: batch.id, results });
  });
}
