import { Worker } from 'node:worker_threads';
import { finishSizing, planSizing, type FifoSizing, type IndependentSearch, type Recording, type SizingPlan } from '@lut-llm/core';
import { threadCpuMs } from './pass-lanes.js';
import { compiledSibling, defaultPassWorkers } from './threads.js';
import { fifoSizeTask, takeClasses, type FifoSizeReply } from './fifo-size-task.js';

export interface ThreadedSizingOptions {
  readonly tolerance?: number;
  /** Threads that search depths, this one included (threads - 1 workers are started). Integer >= 1. */
  readonly threads: number;
  /** Called on this thread after each class of FIFOs it searched: classes taken by all threads so far, and in all. */
  readonly onProgress?: (taken: number, classes: number) => void;
}

/**
 * Firings of a decode step from which sizing spreads its probes over one thread per core by
 * default: below, a worker's start-up (its modules and the re-timer of the unbounded run, about
 * 0.3-0.7 s measured on this project's 2-core machine) is not repaid (a 4-layer tiny model sizes
 * in 0.3 s on one thread, 0.9 s on three).
 */
export const SIZING_THREADED_FIRINGS = 100_000;

/**
 * At most this many threads by default: each worker holds its own re-timer of the unbounded run
 * (peak RSS 0.60 GB on one thread, 0.78 GB on two for the Qwen3-1.7B decode step: ~0.18 GB a
 * worker, so four stay under the 2 GB target), and the largest class of FIFOs (the gate/up
 * weight tiles, about a fifth of the probes' CPU) bounds what more threads could gain.
 */
export const SIZING_DEFAULT_THREADS_MAX = 4;

/** The default thread count of a sizing (`lut-llm fifo-size` without --threads) for a recording of this many firings. */
export function defaultSizingThreads(firings: number): number {
  return firings >= SIZING_THREADED_FIRINGS ? Math.min(SIZING_DEFAULT_THREADS_MAX, Math.max(1, defaultPassWorkers())) : 1;
}

/** A threaded sizing, with the CPU time each thread's search took (ms; 0: this thread) and the classes of FIFOs it searched. */
export interface ThreadedSizing extends FifoSizing {
  readonly searchCpuMs: readonly number[];
  readonly classesPerThread: readonly number[];
}

/**
 * `sizeFifos` with its search for independent depths (the probes: nearly all of its time) spread
 * over threads by classes of FIFOs alike in structure. A class's search depends only on its own
 * answers, so the sizing is the same, field for field, for any number of threads. Each worker
 * rebuilds the re-timer of the unbounded run from its recording (its base sweep, ~0.3 s on the
 * decode step); every thread, this one included, takes the next class not yet taken (largest
 * estimated first) until none is left, then this one does the joint check.
 */
export async function sizeFifosThreaded(rec: Recording, opts: ThreadedSizingOptions): Promise<ThreadedSizing> {
  const { threads } = opts;
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`sizeFifosThreaded: threads must be an integer >= 1, got ${threads}`);
  const plan = planSizing(rec, opts);
  const classes = classOrder(plan);
  const progress = opts.onProgress ? (n: number) => opts.onProgress!(n, classes.length) : undefined;
  const task = fifoSizeTask(plan, classes, new Int32Array(new SharedArrayBuffer(4)));
  // Each worker starts with the task (workerData) and takes classes on its own thread while this one
  // takes classes too. (A pool would hand tasks over through this thread's event loop, which the
  // synchronous search below blocks.) One thread: no worker, the same loop.
  const workers = Array.from({ length: threads - 1 }, () => {
    const worker = new Worker(new URL(compiledSibling(import.meta.url, './fifo-size-worker.js')), { workerData: task });
    const reply = new Promise<{ ok: IndependentSearch[]; cpuMs: number }>((resolve, reject) => {
      worker.once('message', (m: FifoSizeReply) => ('ok' in m ? resolve(m) : reject(new Error(`FIFO sizing worker failed: ${m.error}`))));
      worker.once('error', (e) => reject(new Error(`FIFO sizing worker failed: ${e.message}`, { cause: e })));
      worker.once('exit', (code) => reject(new Error(`FIFO sizing worker exited (code ${code}) before it replied`)));
    });
    // Handled here too: if this thread's own search throws, the workers are terminated unheard.
    reply.catch(() => undefined);
    return { worker, reply };
  });
  try {
    const c0 = threadCpuMs();
    const local = takeClasses(plan.free, task, progress);
    const localCpuMs = threadCpuMs() - c0;
    const remote = await Promise.all(workers.map((w) => w.reply));
    return {
      ...finishSizing(plan, [...local, ...remote.flatMap((r) => r.ok)]),
      searchCpuMs: [localCpuMs, ...remote.map((r) => r.cpuMs)],
      classesPerThread: [local.length, ...remote.map((r) => r.ok.length)],
    };
  } finally {
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }
}

/**
 * The classes of FIFOs, largest estimated search first (so the last ones, taken while other
 * threads finish, are short). A probe re-times from the FIFO's first write to the end of the run,
 * and FIFOs that need one slot cost none: a class costs the part of the unbounded run after each
 * of its FIFOs' first write that needs more than one slot. Only the speed depends on the
 * estimate, never the result.
 */
export function classOrder(plan: SizingPlan): (readonly number[])[] {
  const { free, need, freeCycles } = plan;
  const { fifoBase } = free.ix;
  const cost = plan.classes.map((members) => {
    let c = 0;
    for (const f of members) {
      if (need[f]! <= 1 || fifoBase[f + 1] === fifoBase[f]) continue;
      const first = free.base.tokW[fifoBase[f]!]!;
      c += Number.isFinite(first) ? Math.max(0, freeCycles - first) : freeCycles;
    }
    return c;
  });
  return plan.classes.map((_, i) => i).sort((a, b) => cost[b]! - cost[a]! || a - b).map((i) => plan.classes[i]!);
}
