import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Kernel } from './actor.js';
import { runGraph, type RunOptions, type RunResult } from './engine.js';
import { RunError } from './errors.js';
import type { Graph } from './graph.js';
import { compiledModuleUrl } from './kernel-ref.js';
import { PayloadHandle, type KernelTask } from './kernel-task.js';
import { KERNEL_ERROR, KERNEL_ERROR_MESSAGE, type KernelTaskMessage } from './kernel-worker.js';
import type { Token } from './token.js';
import { collectTransferables, detachableCopy } from './transfer.js';

/** Longest wait in `close()` for batches already running in workers. */
const CLOSE_GRACE_MS = 5_000;

/**
 * A piscina pool of worker threads that run stage kernels. Payloads cross as moved buffers
 * (views on part of a buffer are copied first, shared buffers are shared), never as JSON.
 */
export class KernelPool {
  private readonly pool: Piscina;
  private closed = false;
  /** Tasks run in workers so far. */
  tasksRun = 0;

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
   * Runs one kernel task in a worker. Ready tasks are batched into one message per worker turn
   * (up to `maxBatch`): a tile's kernel is microseconds of work, comparable to a message's cost,
   * so one message per task would spend more time posting than computing. A batch also clones a
   * payload shared by several of its tasks (a table block) once.
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
   * for a task whose kernel threw (the others still return). Rejects if the worker dies.
   */
  async runBatch(batch: readonly { readonly task: KernelTask; readonly inputs: Readonly<Record<string, unknown>> }[]): Promise<(Readonly<Record<string, unknown>> | Error)[]> {
    if (this.closed) throw new Error('KernelPool is closed');
    const messages = batch.map(({ task, inputs }) => this.message(task, inputs));
    this.tasksRun += batch.length;
    const posted = this.pool.run(messages, { transferList: collectTransferables(messages.map((m) => m.inputs)) });
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

  private message(task: KernelTask, inputs: Readonly<Record<string, unknown>>): KernelTaskMessage {
    const ref = task.workerKernel!;
    const firing = { actor: task.firing.actor, index: task.firing.index, cycle: task.firing.cycle, inputs: task.firing.inputs };
    return { module: ref.module, exportName: ref.exportName, inputs: detachableCopy(inputs) as Record<string, unknown>, outputs: task.outputs, firing };
  }

  /** Most tasks in one message. */
  maxBatch = 1024;
  private readonly queue: { task: KernelTask; inputs: Readonly<Record<string, unknown>>; resolve: (r: Readonly<Record<string, unknown>>) => void; reject: (e: unknown) => void }[] = [];
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
      const messages: KernelTaskMessage[] = batch.map(({ task, inputs }) => this.message(task, inputs));
      this.inFlight++;
      this.tasksRun += batch.length;
      const posted = this.pool.run(messages, { transferList: collectTransferables(messages.map((m) => m.inputs)) });
      this.batches.add(posted);
      posted
        .then(
          (results: unknown) => {
            const rs = results as readonly (Readonly<Record<string, unknown>> | { readonly error: string })[];
            batch.forEach((b, i) => {
              const r = rs[i]!;
              if (r && typeof r === 'object' && KERNEL_ERROR in r) b.reject(new Error((r as Record<symbol | string, string>)[KERNEL_ERROR_MESSAGE]));
              else b.resolve(r as Readonly<Record<string, unknown>>);
            });
          },
          (e: unknown) => {
            // The worker died (or the pool closed) with the whole batch: name every task in it.
            const tasks = batch.map((b) => `${b.task.actorName}#${b.task.firing.index}`).join(', ');
            const err = new Error(`${e instanceof Error ? e.message : String(e)} (while running a batch of ${batch.length} task(s): ${tasks})`, { cause: e });
            batch.forEach((b) => b.reject(err));
          },
        )
        .finally(() => {
          this.batches.delete(posted);
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

/**
 * Evaluates a recorded run's kernel tasks in dependency order and returns the sinks' tokens with
 * real payloads. Kernels with a `workerKernel` run in the pool (if given), the rest on the main
 * thread, each actor's in firing order. Every result is a pure function of its inputs, so the
 * numbers do not depend on the pool size or on which worker finishes first.
 * The first failure rejects with an error naming the stage and the token.
 */
export async function evaluateKernelTasks(
  tasks: readonly KernelTask[],
  sinks: Readonly<Record<string, readonly Token[]>>,
  pool?: KernelPool,
  onProgress?: (done: number, total: number) => void,
  inWorkerFilter?: (actorName: string) => boolean,
): Promise<Record<string, Token[]>> {
  const n = tasks.length;
  const results: (Readonly<Record<string, unknown>> | undefined)[] = new Array(n);
  const refs = Int32Array.from(tasks, (t) => t.refs);
  const inWorker = new Uint8Array(n);
  // Dependency graph as counts + a CSR list of dependents: a task waits for the producers of its
  // input handles and, on the main thread, for the previous main-thread task of its actor (such
  // kernels may keep state between firings).
  const waiting = new Int32Array(n);
  const outDegree = new Int32Array(n);
  const lastInline = new Map<number, number>();
  const edges: number[] = [];
  tasks.forEach((t, id) => {
    inWorker[id] = pool !== undefined && t.workerKernel !== undefined && (inWorkerFilter?.(t.actorName) ?? true) ? 1 : 0;
    for (const v of Object.values(t.inputs)) {
      if (v instanceof PayloadHandle) {
        edges.push(v.task, id);
        outDegree[v.task]!++;
        waiting[id]!++;
      }
    }
    if (!inWorker[id]) {
      const prev = lastInline.get(t.actor);
      if (prev !== undefined) {
        edges.push(prev, id);
        outDegree[prev]!++;
        waiting[id]!++;
      }
      lastInline.set(t.actor, id);
    }
  });
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) start[i + 1] = start[i]! + outDegree[i]!;
  const dependents = new Int32Array(edges.length / 2);
  const fill = start.slice(0, n);
  for (let e = 0; e < edges.length; e += 2) dependents[fill[edges[e]!]!++] = edges[e + 1]!;

  const take = (h: PayloadHandle): unknown => {
    const r = results[h.task];
    if (!r) throw new Error(`internal: result of task ${h.task} missing`);
    const v = r[h.port];
    if (--refs[h.task]! === 0) results[h.task] = undefined; // last reader: free it
    return v;
  };
  const inputsOf = (t: KernelTask): Record<string, unknown> => {
    const inputs: Record<string, unknown> = {};
    for (const [port, v] of Object.entries(t.inputs)) inputs[port] = v instanceof PayloadHandle ? take(v) : v;
    return inputs;
  };
  const failure = (t: KernelTask, e: unknown, where: string) =>
    new RunError(
      `actor '${t.actorName}': kernel failed${where} on firing ${t.firing.index} (inputs ${JSON.stringify(t.firing.inputs)}): ${e instanceof Error ? e.message : String(e)}`,
      t.actorName,
      t.firing.index,
      { cause: e },
    );

  const readyMain: number[] = [];
  const readyWorker: number[] = [];
  let done = 0;
  const complete = (id: number, out: Readonly<Record<string, unknown>>) => {
    results[id] = out;
    done++;
    onProgress?.(done, n);
    for (let e = start[id]!; e < start[id + 1]!; e++) {
      const d = dependents[e]!;
      if (--waiting[d]! === 0) (inWorker[d] ? readyWorker : readyMain).push(d);
    }
  };
  for (let id = 0; id < n; id++) if (waiting[id] === 0) (inWorker[id] ? readyWorker : readyMain).push(id);

  // The main thread runs every ready main-thread kernel at once, hands ready worker kernels to
  // the pool in batches, and only waits when nothing is ready but batches are out.
  let inFlight = 0;
  let error: unknown;
  let wake: (() => void) | undefined;
  const threads = pool?.threads ?? 1;
  while (done < n) {
    if (error) throw error;
    while (readyMain.length > 0) {
      // Newest first (a stack): it finishes a chain before starting the next, which frees results early.
      const id = readyMain.pop()!;
      const t = tasks[id]!;
      let out: Readonly<Record<string, unknown>>;
      try {
        out = (t.kernel as Kernel)(inputsOf(t), t.outputs, t.firing);
      } catch (e) {
        throw failure(t, e, '');
      }
      complete(id, out);
    }
    while (readyWorker.length > 0 && inFlight < 2 * threads) {
      const size = Math.min(pool!.maxBatch, Math.max(1, Math.ceil(readyWorker.length / threads)));
      const ids = readyWorker.splice(0, size);
      const batch = ids.map((id) => ({ task: tasks[id]!, inputs: inputsOf(tasks[id]!) }));
      inFlight++;
      pool!.runBatch(batch).then(
        (outs) => {
          inFlight--;
          outs.forEach((o, k) => {
            if (o instanceof Error) error ??= failure(tasks[ids[k]!]!, o, ' in a worker');
            else complete(ids[k]!, o);
          });
          wake?.();
        },
        (e: unknown) => {
          inFlight--;
          error ??= failure(tasks[ids[0]!]!, e, ' in a worker');
          wake?.();
        },
      );
    }
    if (done >= n) break;
    if (readyMain.length === 0 && (readyWorker.length === 0 || inFlight >= 2 * threads)) {
      if (inFlight === 0) throw new Error(`internal: ${n - done} kernel tasks can never run (dependency cycle)`);
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  }
  if (error) throw error;
  const out: Record<string, Token[]> = {};
  for (const [name, tokens] of Object.entries(sinks)) {
    out[name] = tokens.map((tok) => {
      const h = tok.payload;
      if (!(h instanceof PayloadHandle)) return tok;
      return { meta: tok.meta, readyCycle: tok.readyCycle, payload: results[h.task]![h.port] };
    });
  }
  return out;
}

export interface FunctionalRunOptions extends Omit<RunOptions, 'mode' | 'kernels'> {
  /** 0: kernels inline as actors fire. N >= 1: a pool of N workers (or `pool`). Default 0. */
  readonly workers?: number;
  /** An existing pool to use (not closed afterwards). */
  readonly pool?: KernelPool;
  readonly onProgress?: (done: number, total: number) => void;
  /**
   * Which actors' worker kernels go to the pool (default: all that declare one). Light kernels
   * on a long dependency chain (an accumulator's running sum) are faster on the main thread than
   * a worker round trip per step; heavy, independent ones (look-ups per tile) gain from workers.
   */
  readonly inWorker?: (actorName: string) => boolean;
}

/**
 * Functional run: cycles and trace from the engine, numbers from the kernels, inline or in a
 * worker pool. The result is identical for any number of workers.
 */
export async function runFunctional(graph: Graph, opts: FunctionalRunOptions = {}): Promise<RunResult> {
  const workers = opts.workers ?? 0;
  if (!Number.isInteger(workers) || workers < 0) throw new RangeError(`workers must be an integer >= 0, got ${workers}`);
  if (workers === 0 && !opts.pool) return runGraph(graph, { ...opts, mode: 'functional' });
  const recorded = runGraph(graph, { ...opts, mode: 'functional', kernels: 'record' });
  const pool = opts.pool ?? new KernelPool(workers);
  try {
    const sinks = await evaluateKernelTasks(recorded.tasks, recorded.sinks, pool, opts.onProgress, opts.inWorker);
    return { ...recorded, sinks, tasks: [] };
  } finally {
    if (!opts.pool) await pool.close();
  }
}
