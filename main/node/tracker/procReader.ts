/**
 * Reads /proc through a small pool of reader threads (see procReaderWorker.ts). Callers ask for single
 * reads and get promises; reads issued together travel in batches, two in flight per thread so a thread
 * never waits for the caller between batches. A thread that makes no progress for a whole deadline (a
 * read blocked on a process's locked memory map) is retired: the read in progress fails, its pid is
 * reported stuck, and the rest of its batches move to a fresh thread.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { errnoException } from '../sys/errno.ts';
import { DeadlineError } from './deadline.ts';
import { procReaderWorker, type ProcBatch, type ProcessFiles, type ProcOp, type ProcResult, type ScanFilter } from './procReaderWorker.ts';

const BATCH_OPS = 512;
const IN_FLIGHT = 2;
const IDLE_MS = 30_000;

interface Pending {
  pid: number;
  op: ProcOp;
  filter?: ScanFilter;
  resolve(v: unknown): void;
  reject(err: unknown): void;
}

interface Batch {
  id: number;
  items: Pending[];
}

interface Thread {
  worker: Worker;
  /** [batch id, op index] the thread is at, written by the thread. */
  progress: Int32Array;
  inFlight: Batch[];
  timer?: NodeJS.Timeout;
  seen: string;
}

export class ProcReader {
  private readonly queue: Pending[] = [];
  private readonly threads: Thread[] = [];
  private readonly stuck = new Map<number, number>();
  private readonly filterIds = new WeakMap<ScanFilter, number>();
  private nextId = 1;
  private flushing = false;
  private idleTimer: NodeJS.Timeout | undefined;
  private stuckThreads = 0;

  /** Retired threads still inside a read that has not returned: they keep the process from exiting. */
  get threadsLeftBehind(): number {
    return this.stuckThreads;
  }

  constructor(
    private readonly threadCount = Math.max(1, Math.min(4, availableParallelism())),
    private readonly deadlineMs = 2000,
  ) {}

  /** One file of a process (see ProcOp 'read'), failing like fs.readFile. */
  read(pid: number, path: string, whole = false): Promise<string> {
    return this.submit(pid, { op: 'read', path, whole }) as Promise<string>;
  }

  /** Several of a process's files in one request; `filter` selects the maps lines worth sending back. */
  process(pid: number, want: { identity: boolean; fdCount: boolean; filter?: ScanFilter }): Promise<ProcessFiles> {
    const { filter, ...flags } = want;
    if (!filter) return this.submit(pid, { op: 'process', pid, ...flags }) as Promise<ProcessFiles>;
    let id = this.filterIds.get(filter);
    if (id === undefined) this.filterIds.set(filter, (id = this.nextId++));
    return this.submit(pid, { op: 'process', pid, ...flags, filter: id }, filter) as Promise<ProcessFiles>;
  }

  private submit(pid: number, op: ProcOp, filter?: ScanFilter): Promise<unknown> {
    const since = this.stuck.get(pid);
    if (since !== undefined) return Promise.reject(new DeadlineError(`/proc/${pid} (stuck since ${new Date(since).toISOString()})`, this.deadlineMs));
    return new Promise((resolve, reject) => {
      this.queue.push({ pid, op, filter, resolve, reject });
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
      const thread = this.pickThread();
      if (!thread) return;
      this.send(thread, this.queue.splice(0, BATCH_OPS));
    }
    if (this.threads.every((t) => t.inFlight.length === 0)) this.idleTimer = setTimeout(() => this.shutdown(), IDLE_MS).unref();
  }

  /** An idle thread, else a new one while the pool may grow, else the least loaded with room. */
  private pickThread(): Thread | undefined {
    const idle = this.threads.find((t) => t.inFlight.length === 0);
    if (idle) return idle;
    if (this.threads.length < this.threadCount) return this.spawn();
    return this.threads.filter((t) => t.inFlight.length < IN_FLIGHT).sort((a, b) => a.inFlight.length - b.inFlight.length)[0];
  }

  private send(thread: Thread, items: Pending[]): void {
    const batch: Batch = { id: this.nextId++, items };
    const filters: Record<number, ScanFilter> = {};
    for (const i of items) if (i.op.op === 'process' && i.op.filter !== undefined && i.filter) filters[i.op.filter] = i.filter;
    thread.inFlight.push(batch);
    thread.worker.ref();
    thread.worker.postMessage({ id: batch.id, ops: items.map((i) => i.op), filters } satisfies ProcBatch);
    thread.timer ??= setTimeout(() => this.watch(thread), this.deadlineMs);
  }

  private spawn(): Thread {
    const progress = new SharedArrayBuffer(8);
    const worker = new Worker(`(${procReaderWorker.toString()})(require)`, { eval: true, workerData: { progress } });
    const thread: Thread = { worker, progress: new Int32Array(progress), inFlight: [], seen: '' };
    worker.on('message', (msg: { id: number; results: ProcResult[] }) => this.settle(thread, msg));
    worker.on('error', (err) => this.fail(thread, err));
    worker.unref();
    this.threads.push(thread);
    return thread;
  }

  private settle(thread: Thread, msg: { id: number; results: ProcResult[] }): void {
    const batch = thread.inFlight[0];
    if (batch?.id !== msg.id) return;
    thread.inFlight.shift();
    if (thread.inFlight.length === 0) {
      clearTimeout(thread.timer);
      thread.timer = undefined;
      thread.worker.unref();
    }
    batch.items.forEach((item, i) => {
      const r = msg.results[i];
      if ('ok' in r) item.resolve(r.ok);
      else item.reject(errnoException(r.err, 'read', item.op.op === 'read' ? item.op.path : `/proc/${item.pid}`));
    });
    this.dispatch();
  }

  /** A thread is only late if it made no progress for a whole deadline: long batches are fine. */
  private watch(thread: Thread): void {
    thread.timer = undefined;
    const [batchId, index] = thread.progress;
    const oldest = thread.inFlight[0];
    if (!oldest) return;
    const at = `${batchId}:${index}`;
    if (at !== thread.seen || batchId !== oldest.id) {
      thread.seen = at;
      thread.timer = setTimeout(() => this.watch(thread), this.deadlineMs);
      return;
    }
    this.expire(thread, oldest.items[index]);
  }

  /** The read in progress hangs: fail it and its pid's other reads, retire the thread, requeue the rest first. */
  private expire(thread: Thread, culprit: Pending): void {
    const items = thread.inFlight.flatMap((b) => b.items);
    this.retire(thread);
    this.stuck.set(culprit.pid, Date.now());
    // The retired thread ends once its read returns (if ever); then the pid may be read again.
    this.stuckThreads++;
    thread.worker.once('exit', () => {
      this.stuckThreads--;
      this.stuck.delete(culprit.pid);
    });
    const error = new DeadlineError(`/proc/${culprit.pid}`, this.deadlineMs);
    for (const i of items) if (i.pid === culprit.pid) i.reject(error);
    this.queue.unshift(...items.filter((i) => i.pid !== culprit.pid));
    this.dispatch();
  }

  private fail(thread: Thread, err: unknown): void {
    const items = thread.inFlight.flatMap((b) => b.items);
    this.retire(thread);
    for (const i of items) i.reject(err);
    this.dispatch();
  }

  private retire(thread: Thread): void {
    clearTimeout(thread.timer);
    this.threads.splice(this.threads.indexOf(thread), 1);
    thread.inFlight = [];
    thread.worker.unref();
    void thread.worker.terminate();
  }

  private shutdown(): void {
    for (const t of [...this.threads]) if (t.inFlight.length === 0) this.retire(t);
  }
}

/** The process-wide reader: threads are expensive to start, so scans share them and they retire when idle. */
export const procReader = new ProcReader();
