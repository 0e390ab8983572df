/**
 * Reads /proc through a small pool of reader threads (see procReaderWorker.ts). Callers ask for single
 * reads and get promises; reads issued together are sent in batches, so a scan of a thousand processes
 * costs a few dozen messages. A batch that does not come back in time (a read blocked on a process's
 * locked memory map) fails only the read in progress, names its pid as stuck, and the rest of the batch
 * moves to a fresh thread.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { DeadlineError } from './deadline.ts';
import { procReaderWorker, type ProcBatch, type ProcOp, type ProcResult } from './procReaderWorker.ts';

const BATCH_OPS = 256;
const IDLE_MS = 30_000;

interface Pending {
  pid: number;
  op: ProcOp;
  resolve(v: unknown): void;
  reject(err: unknown): void;
}

interface Thread {
  worker: Worker;
  progress: Int32Array;
  batch?: { id: number; items: Pending[]; timer: NodeJS.Timeout; seen: number };
}

/** An error shaped like Node's fs errors, so callers treat ENOENT/EACCES from a thread the same way. */
function fsError(code: string, op: ProcOp): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${op.op} ${op.path}`), { code, path: op.path });
}

export class ProcReader {
  private readonly queue: Pending[] = [];
  private readonly threads: Thread[] = [];
  private readonly stuck = new Map<number, number>();
  private nextBatch = 1;
  private flushing = false;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(private readonly threadCount = Math.max(1, Math.min(4, availableParallelism())), public deadlineMs = 2000) {}

  /** When the pid's earlier read got stuck (it still is): scans report it instead of queueing more reads behind it. */
  stuckSince(pid: number): number | undefined {
    return this.stuck.get(pid);
  }

  read(pid: number, path: string, keep?: string[]): Promise<string> {
    return this.submit(pid, keep ? { op: 'read', path, keep } : { op: 'read', path }) as Promise<string>;
  }

  link(pid: number, path: string): Promise<string> {
    return this.submit(pid, { op: 'link', path }) as Promise<string>;
  }

  links(pid: number, path: string): Promise<[string, string][]> {
    return this.submit(pid, { op: 'links', path }) as Promise<[string, string][]>;
  }

  size(pid: number, path: string): Promise<number> {
    return this.submit(pid, { op: 'size', path }) as Promise<number>;
  }

  private submit(pid: number, op: ProcOp): Promise<unknown> {
    const since = this.stuck.get(pid);
    if (since !== undefined) return Promise.reject(new DeadlineError(`/proc/${pid} (stuck since ${new Date(since).toISOString()})`, this.deadlineMs));
    return new Promise((resolve, reject) => {
      this.queue.push({ pid, op, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Let every read issued in this turn join the queue first, then fill whole batches.
        setImmediate(() => {
          this.flushing = false;
          this.dispatch();
        });
      }
    });
  }

  private dispatch(): void {
    clearTimeout(this.idleTimer);
    while (this.queue.length) {
      const thread = this.threads.find((t) => !t.batch) ?? (this.threads.length < this.threadCount ? this.spawn() : undefined);
      if (!thread) return;
      const items = this.queue.splice(0, BATCH_OPS);
      const id = this.nextBatch++;
      Atomics.store(thread.progress, 0, 0);
      thread.batch = { id, items, seen: 0, timer: setTimeout(() => this.watch(thread, id), this.deadlineMs) };
      thread.worker.ref();
      thread.worker.postMessage({ id, ops: items.map((i) => i.op) } satisfies ProcBatch);
    }
    if (this.threads.every((t) => !t.batch)) this.idleTimer = setTimeout(() => this.shutdown(), IDLE_MS).unref();
  }

  private spawn(): Thread {
    const progress = new SharedArrayBuffer(4);
    const worker = new Worker(`(${procReaderWorker.toString()})(require)`, { eval: true, workerData: { progress } });
    const thread: Thread = { worker, progress: new Int32Array(progress) };
    worker.on('message', (msg: { id: number; results: ProcResult[] }) => this.settle(thread, msg));
    worker.on('error', (err) => this.fail(thread, err));
    worker.unref();
    this.threads.push(thread);
    return thread;
  }

  private settle(thread: Thread, msg: { id: number; results: ProcResult[] }): void {
    const batch = thread.batch;
    if (!batch || batch.id !== msg.id) return;
    clearTimeout(batch.timer);
    thread.batch = undefined;
    thread.worker.unref();
    batch.items.forEach((item, i) => {
      const r = msg.results[i];
      if ('ok' in r) item.resolve(r.ok);
      else item.reject(fsError(r.err, item.op));
    });
    this.dispatch();
  }

  /** A batch is only late if its thread made no progress for a whole deadline: long batches are fine. */
  private watch(thread: Thread, id: number): void {
    const batch = thread.batch;
    if (!batch || batch.id !== id) return;
    const at = Atomics.load(thread.progress, 0);
    if (at !== batch.seen) {
      batch.seen = at;
      batch.timer = setTimeout(() => this.watch(thread, id), this.deadlineMs);
      return;
    }
    this.expire(thread, batch.items, batch.items[at]);
  }

  /** The read in progress hangs: fail it, retire the thread, and requeue the rest of its batch first. */
  private expire(thread: Thread, items: Pending[], culprit: Pending): void {
    this.retire(thread);
    this.stuck.set(culprit.pid, Date.now());
    // The retired thread ends once its read returns (if ever); then the pid may be read again.
    thread.worker.once('exit', () => this.stuck.delete(culprit.pid));
    culprit.reject(new DeadlineError(culprit.op.path, this.deadlineMs));
    const rest = items.filter((i) => i !== culprit);
    for (const i of rest.filter((i) => i.pid === culprit.pid)) i.reject(new DeadlineError(`/proc/${culprit.pid}`, this.deadlineMs));
    this.queue.unshift(...rest.filter((i) => i.pid !== culprit.pid));
    this.dispatch();
  }

  private fail(thread: Thread, err: unknown): void {
    const items = thread.batch?.items ?? [];
    if (thread.batch) clearTimeout(thread.batch.timer);
    this.retire(thread);
    for (const i of items) i.reject(err);
    this.dispatch();
  }

  private retire(thread: Thread): void {
    this.threads.splice(this.threads.indexOf(thread), 1);
    thread.batch = undefined;
    thread.worker.unref();
    void thread.worker.terminate();
  }

  private shutdown(): void {
    for (const t of [...this.threads]) if (!t.batch) this.retire(t);
  }
}

/** The process-wide reader: threads are expensive to start, so scans share them and they retire when idle. */
export const procReader = new ProcReader();
