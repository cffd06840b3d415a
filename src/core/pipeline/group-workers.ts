import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import { CancelledError, UserError } from '../errors';
import { startWorkerThread } from '../worker-thread';
import type { GroupJob, GroupResult } from './group-pruning';

export type FromWorker = { id: number; result: GroupResult } | { id: number; error: { message: string; user: boolean } };

/** The buffers a result can hand over without copying. */
export function resultBuffers(result: GroupResult): ArrayBuffer[] {
  const buffers = new Set<ArrayBuffer>();
  for (const l of result.layers) {
    if (l.status !== 'pruned') continue;
    buffers.add(l.weight.buffer as ArrayBuffer);
    if (l.keptMask) buffers.add(l.keptMask.buffer as ArrayBuffer);
  }
  if (result.perm) buffers.add(result.perm.buffer as ArrayBuffer);
  return [...buffers];
}

/** How many worker threads pruning uses by default: one per core, at most 8. */
export function defaultPruneWorkers(): number {
  return Math.min(8, availableParallelism());
}

/**
 * A pool of worker threads running pruneGroup, so that the sibling groups of a model are pruned on
 * every core (docs/pruning-pipeline.md, "Threads"). Jobs go to the first idle worker; results come
 * back in any order. `close()` ends the threads; an abort terminates them and rejects what is pending.
 */
export class GroupWorkers {
  private readonly idle: Worker[] = [];
  private readonly queue: { job: GroupJob; resolve: (r: GroupResult) => void; reject: (e: Error) => void }[] = [];
  private readonly pending = new Map<number, { resolve: (r: GroupResult) => void; reject: (e: Error) => void; worker: Worker }>();
  private nextId = 0;
  private failure: Error | undefined;

  private constructor(private readonly workers: Worker[], signal?: AbortSignal) {
    this.idle.push(...workers);
    for (const w of workers) {
      w.on('message', (m: FromWorker) => this.settle(w, m));
      w.on('error', (e) => this.fail(e));
    }
    signal?.addEventListener('abort', () => this.fail(new CancelledError()), { once: true });
  }

  /** Starts `count` threads; undefined when the worker script is missing (run in-process instead). */
  static start(count: number, signal?: AbortSignal): GroupWorkers | undefined {
    const workers = Array.from({ length: count }, () => startWorkerThread(__dirname, 'group-worker'));
    if (count < 1 || workers.some((w) => !w)) return undefined;
    return new GroupWorkers(workers as Worker[], signal);
  }

  get size(): number {
    return this.workers.length;
  }

  /** Runs one group; its weight buffers are transferred to the worker when they own their memory. */
  run(job: GroupJob): Promise<GroupResult> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const { job, resolve, reject } = this.queue.shift()!;
      const id = this.nextId++;
      this.pending.set(id, { resolve, reject, worker });
      // A weight that is a view into a larger buffer (e.g. the model file) is copied, never detached.
      const owned = job.layers.map((l) => l.data.buffer as ArrayBuffer).filter((b, i) => job.layers[i]!.data.byteOffset === 0 && job.layers[i]!.data.byteLength === b.byteLength);
      worker.postMessage({ id, job }, [...new Set(owned)]);
    }
  }

  private settle(worker: Worker, m: FromWorker): void {
    const entry = this.pending.get(m.id);
    if (!entry) return;
    this.pending.delete(m.id);
    this.idle.push(worker);
    if ('result' in m) entry.resolve(m.result);
    else entry.reject(m.error.user ? new UserError(m.error.message) : new Error(m.error.message));
    this.dispatch();
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    for (const p of [...this.pending.values(), ...this.queue]) p.reject(e);
    this.pending.clear();
    this.queue.length = 0;
    void this.close();
  }
}
