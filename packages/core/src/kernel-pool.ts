import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { Kernel } from './actor.js';
import { runGraph, type RunOptions, type RunResult } from './engine.js';
import { RunError } from './errors.js';
import type { Graph } from './graph.js';
import { compiledModuleUrl } from './kernel-ref.js';
import { PayloadHandle, type KernelTask } from './kernel-task.js';
import type { KernelTaskMessage } from './kernel-worker.js';
import type { Token } from './token.js';
import { collectTransferables, detachableCopy } from './transfer.js';

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

  async run(task: KernelTask, inputs: Readonly<Record<string, unknown>>): Promise<Readonly<Record<string, unknown>>> {
    if (this.closed) throw new Error('KernelPool is closed');
    const ref = task.workerKernel!;
    const sent = detachableCopy(inputs) as Record<string, unknown>;
    const firing = { actor: task.firing.actor, index: task.firing.index, cycle: task.firing.cycle, inputs: task.firing.inputs };
    const message: KernelTaskMessage = { module: ref.module, exportName: ref.exportName, inputs: sent, outputs: task.outputs, firing };
    this.tasksRun++;
    return (await this.pool.run(message, { transferList: collectTransferables(sent) })) as Record<string, unknown>;
  }

  /** Stops every worker; pending tasks fail. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.destroy();
  }
}

/**
 * Evaluates a recorded run's kernel tasks in dependency order and returns the sinks' tokens with
 * real payloads. Kernels with a `workerKernel` run in the pool (if given), the rest on the main
 * thread, each actor's in firing order. Every result is a pure function of its inputs, so the
 * numbers do not depend on the pool size or on which worker finishes first.
 * On the first failure the pool is closed and the error names the stage and the token.
 */
export async function evaluateKernelTasks(
  tasks: readonly KernelTask[],
  sinks: Readonly<Record<string, readonly Token[]>>,
  pool?: KernelPool,
  onProgress?: (done: number, total: number) => void,
): Promise<Record<string, Token[]>> {
  const results: (Readonly<Record<string, unknown>> | undefined)[] = new Array(tasks.length);
  const refs = Int32Array.from(tasks, (t) => t.refs);
  const promises: Promise<void>[] = new Array<Promise<void>>(tasks.length);
  const lastInline = new Map<number, Promise<void>>();
  let done = 0;
  const take = (h: PayloadHandle): unknown => {
    const r = results[h.task];
    if (!r) throw new Error(`internal: result of task ${h.task} missing`);
    const v = r[h.port];
    if (--refs[h.task]! === 0) results[h.task] = undefined; // last reader: free it
    return v;
  };
  for (const t of tasks) {
    const deps: Promise<void>[] = [];
    for (const v of Object.values(t.inputs)) if (v instanceof PayloadHandle) deps.push(promises[v.task]!);
    const inWorker = pool !== undefined && t.workerKernel !== undefined;
    if (!inWorker) {
      const prev = lastInline.get(t.actor);
      if (prev) deps.push(prev);
    }
    const p = Promise.all(deps).then(async () => {
      const inputs: Record<string, unknown> = {};
      for (const [port, v] of Object.entries(t.inputs)) inputs[port] = v instanceof PayloadHandle ? take(v) : v;
      let out: Readonly<Record<string, unknown>>;
      try {
        out = inWorker ? await pool!.run(t, inputs) : (t.kernel as Kernel)(inputs, t.outputs, t.firing);
      } catch (e) {
        const where = inWorker ? ' in a worker' : '';
        throw new RunError(
          `actor '${t.actorName}': kernel failed${where} on firing ${t.firing.index} (inputs ${JSON.stringify(t.firing.inputs)}): ${e instanceof Error ? e.message : String(e)}`,
          t.actorName,
          t.firing.index,
          { cause: e },
        );
      }
      results[t.id] = out;
      done++;
      onProgress?.(done, tasks.length);
    });
    promises[t.id] = p;
    if (!inWorker) lastInline.set(t.actor, p);
  }
  try {
    await Promise.all(promises);
  } catch (e) {
    await pool?.close();
    throw e;
  }
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
    const sinks = await evaluateKernelTasks(recorded.tasks, recorded.sinks, pool, opts.onProgress);
    return { ...recorded, sinks, tasks: [] };
  } finally {
    if (!opts.pool) await pool.close();
  }
}
