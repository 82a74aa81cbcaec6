import { Subject } from 'rxjs';
import { EngineRun, runGraph, type RunOptions, type RunResult } from './engine.js';
import type { Graph } from './graph.js';
import { KernelPool } from './kernel-pool.js';
import { PayloadHandle } from './payload-handle.js';
import { KernelOffload } from './offload.js';
import type { Token } from './token.js';
import type { TraceEvent } from './trace-events.js';

export interface FunctionalRunOptions extends Omit<RunOptions, 'mode' | 'kernels'> {
  /** 0: kernels inline as actors fire. N >= 1: a pool of N workers (or `pool`). Default 0. */
  readonly workers?: number;
  /** An existing pool to use (not closed afterwards). */
  readonly pool?: KernelPool;
  /**
   * Which actors' worker kernels go to the pool (default: all that declare one). Light kernels
   * on the main thread's critical path are better run there; heavy, parallel ones (a tile's
   * look-ups and running sum) gain from workers.
   */
  readonly inWorker?: (actorName: string) => boolean;
  /**
   * Work sharing with the main thread (0: none, the default). Placement keys k (a placed actor's
   * `workerAffinity` key, else its firing index) with k % inlineEvery === 0 run their kernels on
   * the main thread, the others in the workers. The main thread otherwise idles whenever it
   * waits for the workers' results (at the end of each LUTLinear op); a share of the kernels
   * fills that time and saves their messages. Placement only: the numbers are the same.
   */
  readonly inlineEvery?: number;
}

/**
 * Functional run: cycles and trace from the engine, numbers from the kernels, inline or with a
 * worker pool. With a pool, the engine fires actors as in an inline run, but the kernels of
 * placed actors (a worker kernel, selected by `inWorker`) run in the pool's lanes while the
 * engine goes on; their outputs travel as handles and are waited for only by a main-thread
 * kernel that reads them (see KernelOffload). The result is identical for any number of workers.
 */
export async function runFunctional(graph: Graph, opts: FunctionalRunOptions = {}): Promise<RunResult> {
  const workers = opts.workers ?? 0;
  if (!Number.isInteger(workers) || workers < 0) throw new RangeError(`workers must be an integer >= 0, got ${workers}`);
  const every = opts.inlineEvery ?? 0;
  if (!Number.isInteger(every) || every < 0 || every === 1) throw new RangeError(`inlineEvery must be 0 (none) or an integer >= 2, got ${every}`);
  if (workers === 0 && !opts.pool) return runGraph(graph, { ...opts, mode: 'functional' });
  const pool = opts.pool ?? new KernelPool(workers);
  try {
    const offload = new KernelOffload(graph, pool, opts.inWorker, opts.inlineEvery ?? 0);
    try {
      await offload.ready();
      const res = new EngineRun(graph, { ...opts, mode: 'functional' }, new Subject<TraceEvent>(), offload).execute();
      const sinks: Record<string, Token[]> = {};
      for (const [name, tokens] of Object.entries(res.sinks)) {
        sinks[name] = tokens.map((tok) => (tok.payload instanceof PayloadHandle ? { ...tok, payload: offload.resolve(tok.payload) } : tok));
      }
      offload.finish();
      return { ...res, sinks };
    } finally {
      await offload.close();
    }
  } finally {
    if (!opts.pool) await pool.close();
  }
}
