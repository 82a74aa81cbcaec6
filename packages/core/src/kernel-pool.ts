import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { KernelMessageWriter, RET, SIGNAL_SLOTS, type KernelBatchMessage, type KernelBatchReply } from './kernel-message.js';
import { compiledModuleUrl } from './kernel-ref.js';
import type { KernelTask } from './kernel-task.js';

/** Longest wait in `close()` for batches already running in workers. */
const CLOSE_GRACE_MS = 5_000;

/** A task and its input payloads (values, no handles), as handed to the pool. */
export interface PoolTask {
  readonly task: KernelTask;
  readonly inputs: Readonly<Record<string, unknown>>;
}

let runIds = 0;

/**
 * A pool of worker threads that run stage kernels: `threads` lanes, each a one-thread piscina
 * pool, so a caller can send related tasks to the same worker (a lane runs its messages in
 * order and keeps results for later tasks on it: a running sum never crosses threads). Payloads
 * cross as moved buffers (views on part of a buffer are copied first, shared buffers are shared),
 * never as JSON.
 */
export class KernelPool {
  private readonly lanes: Piscina[];
  private closed = false;
  /** Tasks run in workers so far. */
  tasksRun = 0;
  /** Messages posted to workers so far. */
  messagesPosted = 0;
  /** Most tasks in one message. */
  maxBatch = 1024;

  constructor(readonly threads: number = availableParallelism()) {
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`KernelPool: threads must be an integer >= 1, got ${threads}`);
    const filename = compiledModuleUrl(new URL('./kernel-worker.js', import.meta.url).href);
    this.lanes = Array.from({ length: threads }, () => new Piscina({ filename, minThreads: 1, maxThreads: 1, concurrentTasksPerWorker: 1, idleTimeout: 60_000 }));
  }

  /** A fresh run id: each run's results live in the workers under their own id. */
  newRun(): number {
    return ++runIds;
  }

  /**
   * Posts a message to lane `lane` (messages of a lane run one after another, in posting order).
   * Rejects if the worker dies, naming the message's tasks.
   */
  async post(lane: number, built: { message: KernelBatchMessage; transfer: ArrayBuffer[] }, sources: readonly KernelTask[]): Promise<KernelBatchReply> {
    if (this.closed) throw new Error('KernelPool is closed');
    const pool = this.lanes[lane];
    if (!pool) throw new RangeError(`KernelPool: no lane ${lane} (threads: ${this.threads})`);
    this.tasksRun += sources.length;
    this.messagesPosted++;
    const posted = pool.run(built.message, { transferList: built.transfer }) as Promise<KernelBatchReply>;
    this.inFlight.add(posted);
    try {
      return await posted;
    } catch (e) {
      const tasks = sources.map((t) => `${t.actorName}#${t.firing.index}`).join(', ');
      throw new Error(`${e instanceof Error ? e.message : String(e)} (while running a batch of ${sources.length} task(s): ${tasks})`, { cause: e });
    } finally {
      this.inFlight.delete(posted);
    }
  }

  /**
   * Starts a session on lane `lane` (see lane-session.ts): the lane's worker then serves only
   * this session's port until it is told to stop. `done` settles when the session ends (rejects
   * if the worker dies).
   */
  startSession(lane: number): { readonly port: MessagePort; readonly signal: Int32Array; readonly done: Promise<unknown> } {
    if (this.closed) throw new Error('KernelPool is closed');
    const pool = this.lanes[lane];
    if (!pool) throw new RangeError(`KernelPool: no lane ${lane} (threads: ${this.threads})`);
    const { port1, port2 } = new MessageChannel();
    const signal = new Int32Array(new SharedArrayBuffer(SIGNAL_SLOTS * Int32Array.BYTES_PER_ELEMENT));
    const done = pool.run({ port: port2, signal }, { name: 'session', transferList: [port2] as never[] });
    this.inFlight.add(done);
    const settle = () => this.inFlight.delete(done);
    done.then(settle, settle);
    return { port: port1, signal, done };
  }

  /**
   * Runs independent tasks in one worker message (round-robin over lanes); resolves with each
   * task's outputs, or an Error for a task whose kernel threw (the others still return).
   */
  async runBatch(batch: readonly PoolTask[]): Promise<(Readonly<Record<string, unknown>> | Error)[]> {
    const w = new KernelMessageWriter();
    for (const { task, inputs } of batch) {
      if (!task.workerKernel) throw new Error(`actor '${task.actorName}' has no worker kernel`);
      w.begin(task.id, task.workerKernel, task.firing, task.outputs, RET);
      for (const port in inputs) w.value(port, inputs[port]);
    }
    const lane = this.nextLane++ % this.threads;
    const reply = await this.post(lane, w.build(this.newRun(), { end: true }), batch.map((b) => b.task));
    const out: (Readonly<Record<string, unknown>> | Error)[] = reply.returned.map(([, r]) => r);
    for (const [k, message] of reply.errors) out.splice(k, 0, new Error(message));
    return out;
  }
  private nextLane = 0;

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

  private readonly queue: (PoolTask & { resolve: (r: Readonly<Record<string, unknown>>) => void; reject: (e: unknown) => void })[] = [];
  private queued = 0;
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
    while (this.queue.length > 0 && this.queued < 2 * this.threads && !this.closed) {
      const size = Math.min(this.maxBatch, Math.max(1, Math.ceil(this.queue.length / this.threads)));
      const batch = this.queue.splice(0, size);
      this.queued++;
      this.runBatch(batch)
        .then(
          (rs) => batch.forEach((b, i) => (rs[i] instanceof Error ? b.reject(rs[i]) : b.resolve(rs[i]!))),
          (e: unknown) => batch.forEach((b) => b.reject(e)),
        )
        .finally(() => {
          this.queued--;
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
    // Let messages already in a worker answer first (destroying the pool under them makes piscina
    // throw on the late answer), but never wait more than CLOSE_GRACE_MS for a stuck worker.
    if (this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...this.inFlight]), new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_GRACE_MS)))]);
      clearTimeout(timer);
    }
    await Promise.all(this.lanes.map((p) => p.destroy()));
  }

  /** Messages posted to a worker and not yet answered. */
  private readonly inFlight = new Set<Promise<unknown>>();
}

