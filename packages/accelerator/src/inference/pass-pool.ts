import { MessageChannel } from 'node:worker_threads';
import { Piscina } from 'piscina';
import { Observable } from 'rxjs';
import { PassLanes } from './pass-lanes.js';
import { compiledSibling, defaultPassWorkers } from './threads.js';
import type { PassWorkerTask } from './pass-worker.js';
import { stagePluginModules } from '@lut-llm/contracts';
import { planInference, type InferenceOptions, type InferenceReport, type PassEvent, type PassReport, type PassTask } from './run.js';

export { compiledSibling, defaultPassWorkers };

export interface PassPoolOptions {
  /** Worker threads (>= 1). Default: {@link defaultPassWorkers}, at least 1. */
  readonly threads?: number;
  /** For the failure tests: the n-th task sent (0-based) carries this fault instead of running. */
  readonly injectFault?: { readonly atTask: number; readonly fault: 'exit' | 'throw' };
}

/**
 * Worker threads that each build and run whole timing passes (a pass graph, its run, its report:
 * plain data both ways). Passes are independent (cycles never depend on data, and a pass reads no
 * other pass's result), so a request's passes, or a sweep's points, can run on it in any order.
 * Once a task fails, the pool is closed: the run it served fails, and nothing waits on it.
 */
export class PassPool {
  readonly threads: number;
  private readonly piscina: Piscina;
  private readonly injectFault: PassPoolOptions['injectFault'];
  private sent = 0;
  private closed = false;

  constructor(opts: PassPoolOptions = {}) {
    const threads = opts.threads ?? Math.max(1, defaultPassWorkers());
    if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`PassPool: threads must be an integer >= 1, got ${threads}`);
    this.threads = threads;
    this.injectFault = opts.injectFault;
    this.piscina = new Piscina({ filename: compiledSibling(import.meta.url, './pass-worker.js'), minThreads: threads, maxThreads: threads, concurrentTasksPerWorker: 1, idleTimeout: 60_000 });
  }

  /** Tasks one run keeps in flight: one running and one queued per worker, so no worker idles between tasks. */
  get inFlight(): number {
    return 2 * this.threads;
  }

  /** Runs one pass in a worker. A failure (the pass's error, or its worker dying) names the pass and closes the pool. */
  async runPass(task: PassTask): Promise<PassReport> {
    if (this.closed) throw new Error(`pass pool is closed (an earlier pass failed, or close() was called); cannot run ${task.label}`);
    const n = this.sent++;
    const fault = this.injectFault?.atTask === n ? this.injectFault.fault : undefined;
    // The plugin modules this thread imported (a --stages spec's), so the worker's registry has them too.
    const plugins = stagePluginModules();
    const msg: PassWorkerTask = { task, ...(plugins.length > 0 ? { plugins } : {}), ...(fault ? { fault } : {}) };
    try {
      return (await this.piscina.run(msg)) as PassReport;
    } catch (e) {
      void this.close();
      throw new Error(`${task.label} (${task.pass.phase}, ${task.pass.tokens} token(s), history ${task.pass.history}) failed in a pass worker: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  /**
   * {@link runPass} as an Observable: the worker runs the pass through core's run$ and forwards
   * each slice's progress over a MessagePort, then the report. Unsubscribing aborts the task
   * (piscina stops its worker thread), which closes the pool as any failed pass does.
   */
  runPass$(task: PassTask): Observable<PassEvent> {
    return new Observable<PassEvent>((subscriber) => {
      if (this.closed) {
        subscriber.error(new Error(`pass pool is closed (an earlier pass failed, or close() was called); cannot run ${task.label}`));
        return;
      }
      const n = this.sent++;
      const fault = this.injectFault?.atTask === n ? this.injectFault.fault : undefined;
      const { port1, port2 } = new MessageChannel();
      const abort = new AbortController();
      let settled = false;
      // Progress and then the report arrive in order on the port; piscina's own result (null) only signals errors.
      port1.on('message', (m: { kind: 'progress'; cycle: number; firings: number } | { kind: 'report'; report: PassReport }) => {
        if (settled) return;
        if (m.kind === 'progress') {
          subscriber.next({ kind: 'progress', cycle: m.cycle, firings: m.firings });
          return;
        }
        settled = true;
        port1.close();
        subscriber.next({ kind: 'report', report: m.report });
        subscriber.complete();
      });
      const plugins = stagePluginModules();
      const msg: PassWorkerTask = { task, progress: port2, ...(plugins.length > 0 ? { plugins } : {}), ...(fault ? { fault } : {}) };
      this.piscina.run(msg, { transferList: [port2], signal: abort.signal }).then(
        () => undefined,
        (e: unknown) => {
          if (settled) return;
          settled = true;
          port1.close();
          void this.close();
          if (!subscriber.closed) {
            subscriber.error(new Error(`${task.label} (${task.pass.phase}, ${task.pass.tokens} token(s), history ${task.pass.history}) failed in a pass worker: ${e instanceof Error ? e.message : String(e)}`, { cause: e }));
          }
        },
      );
      return () => {
        // Unsubscribed while the pass runs (or waits in the queue): stop it.
        if (!settled) abort.abort();
        port1.close();
      };
    });
  }

  /** Stops the workers (tasks still running are abandoned). Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.piscina.destroy();
  }
}

/**
 * Runs `tasks` on `pool` with at most `limit` in flight, results in task order whatever order
 * they finish in. `onDone(k, task)` is called as each finishes (k = how many finished). The first
 * failure rejects (the pool is closed by then, so the other tasks stop too).
 */
export async function runOnPool<T, R>(tasks: readonly T[], limit: number, run: (task: T) => Promise<R>, onDone?: (done: number, task: T) => void): Promise<R[]> {
  const results: R[] = new Array<R>(tasks.length);
  let next = 0;
  let done = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < tasks.length) {
      const i = next++;
      try {
        results[i] = await run(tasks[i]!);
      } catch (e) {
        failed = true;
        throw e;
      }
      onDone?.(++done, tasks[i]!);
    }
  };
  const lanes = Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, lane);
  await Promise.all(lanes);
  return results;
}

export interface PooledInferenceOptions extends InferenceOptions {
  /**
   * Running lanes (kept open after the request, so several requests share their warm workers; a
   * failed pass closes them): the passes run on them. Takes precedence over the other two.
   */
  readonly passLanes?: PassLanes;
  /**
   * A running piscina pool (kept open after the request; a failed pass closes it): the passes run
   * on its workers while this thread waits.
   */
  readonly passPool?: PassPool;
  /**
   * Threads computing passes, this one included: n >= 2 starts n - 1 worker threads for this
   * request ({@link PassLanes}) and stops them after it; 0 or 1: one pass after another on this
   * thread, as runInference. Default (undefined): decided after the first pass, which runs on this
   * thread: lanes of {@link defaultPassWorkers} threads for the other passes when
   * {@link secondLanePays} says a worker pays for itself, else serial.
   */
  readonly passWorkers?: number;
  /**
   * With the default placement: called once the first pass has run, with the threads chosen for
   * the others (1: serially on this thread) and the first pass's cost they were chosen from.
   */
  readonly onPlacement?: (p: { readonly lanes: number; readonly firstPass: FirstPassCost }) => void;
  /** With the default placement: the rule that decides from the first pass (default {@link secondLanePays}). */
  readonly lanesPay?: (c: FirstPassCost) => boolean;
}

/**
 * Where a request's passes run: on given lanes (they take precedence), on a given pool, on lanes
 * started for it (2 or more pass workers and passes; `own`: close them after it), one after
 * another on this thread, or (`auto`, the default) the first pass on this thread and the others
 * as {@link secondLanePays} decides, on lanes of `lanes` threads or serially (runInference$'s
 * rule, so runInferencePooled's too).
 */
export type PassPlacement =
  | { readonly kind: 'lanes'; readonly lanes: PassLanes; readonly own: boolean }
  | { readonly kind: 'pool'; readonly pool: PassPool }
  | { readonly kind: 'auto'; readonly lanes: number }
  | { readonly kind: 'serial' };

export function passPlacement(opts: PooledInferenceOptions, passes: number): PassPlacement {
  if (opts.passLanes) return { kind: 'lanes', lanes: opts.passLanes, own: false };
  if (opts.passPool) return { kind: 'pool', pool: opts.passPool };
  if (opts.passWorkers === undefined) {
    const lanes = defaultPassWorkers();
    return lanes >= 2 && passes >= 2 ? { kind: 'auto', lanes } : { kind: 'serial' };
  }
  const workers = opts.passWorkers;
  if (!Number.isInteger(workers) || workers < 0) throw new RangeError(`passWorkers must be an integer >= 0, got ${workers}`);
  if (workers <= 1 || passes <= 1) return { kind: 'serial' };
  return { kind: 'lanes', lanes: new PassLanes({ lanes: Math.min(workers, passes) }), own: true };
}

/** What {@link secondLanePays} decides from: the request's first pass, run on this thread, and the passes left. */
export interface FirstPassCost {
  /** Passes of the request after the first. */
  readonly passesLeft: number;
  /** CPU time of this thread during the first pass (ms): the pass itself, its JIT warm-up included. */
  readonly threadCpuMs: number;
  /** CPU time of the process's other threads during the first pass (ms): V8's concurrent compilation and GC helpers. */
  readonly otherCpuMs: number;
}

/**
 * CPU time a pass-lane worker takes to start (isolate, node bootstrap, the pass path's modules),
 * measured: the passes bench's "worker start-up CPU" row (`LaneStats.startupCpuMs`), 160-250 ms on
 * this machine across sessions 6 and 7 (quiet to load 10). A measured figure, not a fitted one; it
 * enters {@link secondLanePays} beside quantities measured in the run itself.
 */
export const WORKER_STARTUP_CPU_MS = 200;

/**
 * Whether a worker thread pays for itself on the rest of a request (issue 19's default), on two
 * cores. A fresh worker is a new V8 isolate on the same two cores as this thread: it starts
 * ({@link WORKER_STARTUP_CPU_MS}) and then compiles the pass path again, so before it saves
 * anything it costs its start-up plus about what this thread's first pass cost: the pass with its
 * JIT warm-up (`threadCpuMs`) and the compilation and GC on the process's other threads
 * (`otherCpuMs`; a serial run gets these for free on the second core, two lanes share the cores
 * with them). It saves half of the passes left (two lanes share them; the passes of a request
 * have one graph, so the same firings within 0.1%, and each costs at most the first's thread CPU
 * once warm). So a second lane pays when
 *
 *     passesLeft x threadCpuMs / 2 > WORKER_STARTUP_CPU_MS + threadCpuMs + otherCpuMs.
 *
 * The default `npm start` request (4 passes, measured: first pass ~400 ms on this thread and
 * ~700 ms on the others, cold) stays serial: 3 passes left save ~600 ms against ~1,300 ms of cost,
 * and the whole `npm start` measured no faster on 2 threads; with 8 or more such passes (e.g.
 * `--decode-samples 9`) lanes pay. Where thread CPU cannot be read (NaN: not Linux) the comparison
 * is false: serial.
 */
export function secondLanePays(c: FirstPassCost): boolean {
  return (c.passesLeft * c.threadCpuMs) / 2 > WORKER_STARTUP_CPU_MS + c.threadCpuMs + c.otherCpuMs;
}

/**
 * Several requests (e.g. `compare`'s variants) in one run of `lanes`: every request's passes in
 * one task list, so the requests' passes fill each other's gaps (a lane never idles at the end of
 * one request while another still has passes). `onProgress` of each request is called as its
 * passes finish; each report's wall time is the whole run's.
 */
export async function runRequestsOnLanes(requests: readonly InferenceOptions[], lanes: PassLanes): Promise<InferenceReport[]> {
  const t0 = performance.now();
  const plans = requests.map((r) => planInference(r));
  const owner: number[] = [];
  const tasks = plans.flatMap((p, k) => p.tasks.map((t) => (owner.push(k), t)));
  const doneOf = new Array<number>(requests.length).fill(0);
  const index = new Map(tasks.map((t, i) => [t, i]));
  const reports = await lanes.run(tasks, (_done, t) => {
    const k = owner[index.get(t)!]!;
    requests[k]!.onProgress?.(++doneOf[k]!, plans[k]!.tasks.length, t.label);
  });
  const wallMs = performance.now() - t0;
  let at = 0;
  return plans.map((p) => p.assemble(reports.slice(at, (at += p.tasks.length)), wallMs));
}
