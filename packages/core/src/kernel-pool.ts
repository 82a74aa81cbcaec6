import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { compiledModuleUrl, type KernelRef } from './kernel-ref.js';
import type { KernelTask } from './kernel-task.js';
import { KERNEL_ERROR, KERNEL_ERROR_MESSAGE, type KernelBatchMessage, type KernelTaskMessage } from './kernel-worker.js';
import { MessageEncoder } from './transfer.js';

/** Longest wait in `close()` for batches already running in workers. */
const CLOSE_GRACE_MS = 5_000;

/** A task and its input payloads (values, no handles), as handed to the pool. */
export interface PoolTask {
  readonly task: KernelTask;
  readonly inputs: Readonly<Record<string, unknown>>;
}

/**
 * A piscina pool of worker threads that run stage kernels. Payloads cross as moved buffers
 * (views on part of a buffer are copied first, shared buffers are shared), never as JSON.
 */
export class KernelPool {
  private readonly pool: Piscina;
  private closed = false;
  /** Tasks run in workers so far. */
  tasksRun = 0;
  /** Batches (worker messages) posted so far. */
  batchesRun = 0;

  constructor(readonly threads: number = availableParallelism()) {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`KernelPool: threads must be an integer >= 1, got ${threads}`);
    this.pool = new Piscina({
      filename: compiledModuleUrl(new URL('./kernel-worker.js', import.meta.url).href),
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: 60_000,
    });
  }

  /**
   * Runs one kernel task in a worker. Tasks queued in the same event-loop turn are sent as
   * batches (a tile's kernel is microseconds of work, comparable to a message's cost).
   */
  run(task: KernelTask, inputs: Readonly<Record<string, unknown>>): Promise<Readonly<Record<string, unknown>>> {
    if (this.closed) return Promise.reject(new Error('KernelPool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ task, inputs, resolve, reject });
      this.scheduleFlush();
    });
  }

  /**
   * Runs independent tasks in one worker message; resolves with each task's outputs, or an Error
   * for a task whose kernel threw (the others still return). Rejects if the worker dies, naming
   * the batch's tasks.
   */
  async runBatch(batch: readonly PoolTask[]): Promise<(Readonly<Record<string, unknown>> | Error)[]> {
    if (this.closed) throw new Error('KernelPool is closed');
    const { message, transfer } = encodeBatch(batch);
    this.tasksRun += batch.length;
    this.batchesRun++;
    const posted = this.pool.run(message, { transferList: transfer });
    this.batches.add(posted);
    try {
      const rs = (await posted) as readonly Readonly<Record<string, unknown>>[];
      return rs.map((r) => (r && typeof r === 'object' && KERNEL_ERROR in r ? new Error((r as Record<string, string>)[KERNEL_ERROR_MESSAGE]) : r));
    } catch (e) {
      const tasks = batch.map((b) => `${b.task.actorName}#${b.task.firing.index}`).join(', ');
      throw new Error(`${e instanceof Error ? e.message : String(e)} (while running a batch of ${batch.length} task(s): ${tasks})`, { cause: e });
    } finally {
      this.batches.delete(posted);
    }
  }

  /** Most tasks in one message. */
  maxBatch = 1024;
  private readonly queue: (PoolTask & { resolve: (r: Readonly<Record<string, unknown>>) => void; reject: (e: unknown) => void })[] = [];
  private inFlight = 0;
  private flushScheduled = false;

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    // Keep every worker busy with one batch and one queued behind it.
    while (this.queue.length > 0 && this.inFlight < 2 * this.threads && !this.closed) {
      const size = Math.min(this.maxBatch, Math.max(1, Math.ceil(this.queue.length / this.threads)));
      const batch = this.queue.splice(0, size);
      this.inFlight++;
      this.runBatch(batch)
        .then(
          (rs) => batch.forEach((b, i) => (rs[i] instanceof Error ? b.reject(rs[i]) : b.resolve(rs[i]!))),
          (e: unknown) => batch.forEach((b) => b.reject(e)),
        )
        .finally(() => {
          this.inFlight--;
          if (this.queue.length > 0) this.scheduleFlush();
        });
    }
  }

  /** Stops every worker; pending tasks fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Tasks still waiting for a batch fail now, by name: nothing waits on a closed pool.
    for (const q of this.queue.splice(0)) q.reject(new Error(`KernelPool closed before running ${q.task.actorName}#${q.task.firing.index}`));
    // Let batches already in a worker answer first (destroying the pool under them makes piscina
    // throw on the late answer), but never wait more than CLOSE_GRACE_MS for a stuck worker.
    if (this.batches.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.batches]), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))]);
      clearTimeout(timer);
    }
    await this.pool.destroy();
  }

  /** Batches posted to a worker and not yet answered. */
  private readonly batches = new Set<Promise<unknown>>();
}

/** One worker message for a batch: kernel references once, payloads encoded once per object. */
function encodeBatch(batch: readonly PoolTask[]): { message: KernelBatchMessage; transfer: ArrayBuffer[] } {
  const enc = new MessageEncoder();
  const kernels: KernelRef[] = [];
  const kernelIndex = new Map<KernelRef, number>();
  const tasks: KernelTaskMessage[] = batch.map(({ task, inputs }) => {
    const ref = task.workerKernel;
    if (!ref) throw new Error(`actor '${task.actorName}' has no worker kernel`);
    let k = kernelIndex.get(ref);
    if (k === undefined) {
      k = kernels.length;
      kernels.push(ref);
      kernelIndex.set(ref, k);
    }
    const f = task.firing;
    return { kernel: k, inputs: enc.encode(inputs) as Record<string, unknown>, outputs: task.outputs, firing: { actor: f.actor, index: f.index, cycle: f.cycle, inputs: f.inputs } };
  });
  return { message: { kernels, tasks }, transfer: enc.transfer };
}
