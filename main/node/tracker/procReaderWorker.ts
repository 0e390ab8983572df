/**
 * The body of a /proc reader thread. It runs as an eval'd script (`procReaderWorker.toString()`), so
 * the same code works from the sources, the esbuild bundles and vitest: it must not use anything from
 * its module scope, only the `require` it is given (a bundler would rewrite a bare `require`).
 *
 * Reads are synchronous here on purpose: a /proc walk is thousands of tiny reads, and a synchronous
 * syscall costs a few microseconds where a libuv round trip costs tens. The walk stays off the caller's
 * event loop, and nothing here reads outside /proc, so it never enters a FUSE mount.
 */
export type ProcOp =
  /** File text as latin1; with `keep`, only the lines containing one of those strings. */
  | { op: 'read'; path: string; keep?: string[] }
  | { op: 'link'; path: string }
  /** Every entry of a directory of links (/proc/PID/fd) with its target: [name, target][]. */
  | { op: 'links'; path: string }
  /** st_size. */
  | { op: 'size'; path: string };

export type ProcResult = { ok: string | number | [string, string][] } | { err: string };

export interface ProcBatch {
  id: number;
  ops: ProcOp[];
}

export function procReaderWorker(load: NodeJS.Require): void {
  const { parentPort, workerData } = load('node:worker_threads') as typeof import('node:worker_threads');
  const fs = load('node:fs') as typeof import('node:fs');
  // Index of the op in progress, so the caller can tell which read hangs if a batch never returns.
  const progress = new Int32Array(workerData.progress as SharedArrayBuffer);
  let buf = Buffer.allocUnsafe(1 << 18);

  const readAll = (path: string): string => {
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
        if (r === 0) return buf.toString('latin1', 0, n);
        n += r;
      }
    } finally {
      fs.closeSync(fd);
    }
  };

  const keepLines = (text: string, keep: string[]): string =>
    text.split('\n').filter((line) => keep.some((k) => line.includes(k))).join('\n');

  const links = (dir: string): [string, string][] => {
    const out: [string, string][] = [];
    for (const name of fs.readdirSync(dir)) {
      try {
        out.push([name, fs.readlinkSync(`${dir}/${name}`, 'latin1')]);
      } catch {
        // closed between readdir and readlink: it is no longer held
      }
    }
    return out;
  };

  const run = (op: ProcOp): ProcResult => {
    try {
      switch (op.op) {
        case 'read': {
          const text = readAll(op.path);
          return { ok: op.keep ? keepLines(text, op.keep) : text };
        }
        case 'link': return { ok: fs.readlinkSync(op.path, 'latin1') };
        case 'links': return { ok: links(op.path) };
        case 'size': return { ok: fs.statSync(op.path).size };
      }
    } catch (err) {
      return { err: (err as NodeJS.ErrnoException).code ?? String(err) };
    }
  };

  parentPort!.on('message', (batch: ProcBatch) => {
    const results = batch.ops.map((op, i) => {
      Atomics.store(progress, 0, i);
      return run(op);
    });
    parentPort!.postMessage({ id: batch.id, results });
  });
}
