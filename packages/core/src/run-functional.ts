import { Subject } from 'rxjs';
import { EngineRun, runGraph, type RunOptions, type RunResult } from './engine.js';
import type { Graph } from './graph.js';
import { KernelEvaluator } from './kernel-evaluator.js';
import { KernelPool } from './kernel-pool.js';
import type { TraceEvent } from './trace-events.js';

/**
 * Scheduler events per engine slice between two evaluation rounds: a few milliseconds of
 * emulation, short enough that workers' answers are taken (and new batches posted) promptly.
 */
const SLICE_EVENTS = 4096;

export interface FunctionalRunOptions extends Omit<RunOptions, 'mode' | 'kernels'> {
  /** 0: kernels inline as actors fire. N >= 1: a pool of N workers (or `pool`). Default 0. */
  readonly workers?: number;
  /** An existing pool to use (not closed afterwards). */
  readonly pool?: KernelPool;
  /** Kernel tasks done and known so far (the total grows while the engine runs). */
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
 * worker pool. With a pool the engine records each firing's kernel as a task and keeps emulating
 * while the tasks recorded so far run (in slices: emulate, evaluate what is ready, emulate on).
 * The result is identical for any number of workers.
 */
export async function runFunctional(graph: Graph, opts: FunctionalRunOptions = {}): Promise<RunResult> {
  const workers = opts.workers ?? 0;
  if (!Number.isInteger(workers) || workers < 0) throw new RangeError(`workers must be an integer >= 0, got ${workers}`);
  if (workers === 0 && !opts.pool) return runGraph(graph, { ...opts, mode: 'functional' });
  const run = new EngineRun(graph, { ...opts, mode: 'functional', kernels: 'record' }, new Subject<TraceEvent>());
  const pool = opts.pool ?? new KernelPool(workers);
  try {
    const ev = new KernelEvaluator(run.recordedTasks, pool, {
      actors: graph.actors.map((a) => a.spec),
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
      ...(opts.inWorker ? { inWorker: opts.inWorker } : {}),
    });
    run.begin();
    try {
      while (!run.advance(SLICE_EVENTS)) {
        ev.addRecorded();
        ev.pump();
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      const recorded = run.end();
      ev.addRecorded();
      return { ...recorded, sinks: await ev.finish(recorded.sinks), tasks: [] };
    } finally {
      if (opts.pool) await ev.dispose();
    }
  } finally {
    if (!opts.pool) await pool.close();
  }
}
