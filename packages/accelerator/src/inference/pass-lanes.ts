import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { compiledSibling, defaultPassWorkers } from './threads.js';
import type { PassReport } from './pass-timing.js';
import type { PassTask } from './run.js';

export { defaultPassWorkers };

/**
 * What the main thread's lane needs, loaded on its first run, not with this module: the CLI starts
 * its lanes before it loads the emulator (so the workers load theirs meanwhile), and by the first
 * run these modules are loaded anyway.
 */
let mainLaneModules: Promise<[typeof import('./pass-timing.js'), typeof import('@lut-llm/contracts')]> | undefined;
const loadMainLaneModules = () => (mainLaneModules ??= Promise.all([import('./pass-timing.js'), import('@lut-llm/contracts')]));

/** One run as a lane worker receives it (structured clone; `control` is shared). */
export interface LaneRun {
  readonly run: number;
  readonly tasks: readonly PassTask[];
  /** [0]: the next task to claim; [1 + i]: who claimed task i (0 none, -1 the main thread, k worker k). */
  readonly control: Int32Array;
  /** Stage-plugin modules to import before the first pass (contracts' stagePluginModules() of the main thread). */
  readonly plugins: readonly string[];
  readonly fault?: PassLanesOptions['injectFault'];
}

/** What a lane worker sends back per task (CPU times for {@link PassLanes.lastRun}). */
export type LaneMessage = { readonly run: number; readonly index: number } & (
  | { readonly report: PassReport; readonly cpuMs: number; readonly startupCpuMs?: number }
  | { readonly error: string }
);

/**
 * CPU time of the calling thread in ms (Linux /proc/thread-self/stat, utime + stime, 10 ms
 * ticks); NaN where unavailable. Node 20 has no per-thread CPU clock, and on a shared machine wall
 * times say little: the benches turn these into the time each lane would take on a core of its own.
 */
export function threadCpuMs(): number {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'latin1');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' '); // fields from 3 (state) on
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime, stime in USER_HZ = 100
  } catch {
    return Number.NaN;
  }
}

/** Where a run's passes went and the CPU they took, per lane (0: the main thread; k: worker k). */
export interface LaneStats {
  readonly lane: number;
  /** Task indices this lane ran, in order. */
  readonly tasks: number[];
  /** CPU time of those passes (ms). */
  passCpuMs: number;
  /** CPU time the worker took to start (bootstrap, module loading), if it started for this run (ms). */
  startupCpuMs: number;
}

export interface PassLanesOptions {
  /**
   * Threads that compute passes, the main thread included (>= 1): `lanes - 1` worker threads
   * are started. Default {@link defaultPassWorkers} (one per core), at least 1.
   */
  readonly lanes?: number;
  /**
   * Whether the main thread takes passes too (default true). With false, `lanes` worker threads
   * compute and the main thread only waits (the failure tests use it: a fault is injected in a
   * worker thread only).
   */
  readonly mainLane?: boolean;
  /** For the failure tests: the worker thread that claims task `atTask` of a run exits or throws instead. */
  readonly injectFault?: { readonly atTask: number; readonly fault: 'exit' | 'throw' };
}

interface ActiveRun {
  readonly id: number;
  readonly tasks: readonly PassTask[];
  readonly control: Int32Array;
  readonly results: (PassReport | undefined)[];
  readonly stats: LaneStats[];
  done: number;
  settled: boolean;
  readonly onDone: ((done: number, task: PassTask) => void) | undefined;
  readonly resolve: (r: PassReport[]) => void;
  readonly reject: (e: Error) => void;
}

function passFailure(task: PassTask, where: string, message: string, cause?: unknown): Error {
  return new Error(`${task.label} (${task.pass.phase}, ${task.pass.tokens} token(s), history ${task.pass.history}) failed ${where}: ${message}`, cause === undefined ? undefined : { cause });
}

/**
 * Timing passes on every core, the main thread included (issue 19). Why not a piscina pool here:
 * piscina hands a task to a worker only from the main thread's event loop, once the worker has
 * said it is ready, so a main thread busy with a pass (hundreds of ms, synchronous) keeps started
 * workers idle; and a main thread that only waits leaves one core of two idle while the workers
 * load their modules (~250 ms each, measured). Here each run's whole task list is posted to every
 * worker at once (queued until the worker has loaded) and every lane, the main thread too, claims
 * the next task from the run's shared atomic counter: the main thread starts on the first pass at
 * once, workers join as they come up, and no lane waits on another's event loop.
 *
 * Workers start in the constructor (so a caller can start them before its own set-up work) and
 * serve any number of runs. Runs may overlap (a sweep's points, compare's variants): every lane
 * works on the oldest run with passes left, so a lane never idles at the end of one run while
 * another has work. Reports are placed by task index: the same, whichever lane ran what. A failing
 * pass, or a worker thread dying, fails its run naming the pass and closes the lanes (the other
 * runs in progress reject too); nothing waits on them afterwards.
 */
export class PassLanes {
  readonly lanes: number;
  readonly mainLane: boolean;
  private readonly workers: Worker[] = [];
  private readonly workerErrors = new Map<number, string>();
  private readonly fault: PassLanesOptions['injectFault'];
  /** Runs in progress, oldest first. */
  private readonly active = new Map<number, ActiveRun>();
  private mainBusy = false;
  private runs = 0;
  private closed = false;
  private stats: LaneStats[] = [];

  constructor(opts: PassLanesOptions = {}) {
    const lanes = opts.lanes ?? Math.max(1, defaultPassWorkers());
    if (!Number.isInteger(lanes) || lanes < 1) throw new RangeError(`PassLanes: lanes must be an integer >= 1, got ${lanes}`);
    this.lanes = lanes;
    this.mainLane = opts.mainLane ?? true;
    this.fault = opts.injectFault;
    const url = new URL(compiledSibling(import.meta.url, './pass-lanes-worker.js'));
    const threads = this.mainLane ? lanes - 1 : lanes;
    for (let k = 1; k <= threads; k++) {
      const w = new Worker(url, { workerData: { lane: k } });
      w.unref(); // an idle lane never keeps the process alive; a run refs them
      w.on('message', (m: LaneMessage) => this.onMessage(m));
      w.on('error', (e) => this.workerErrors.set(k, e.message));
      w.on('exit', (code) => this.onExit(k, code));
      this.workers.push(w);
    }
  }

  /** Per lane, the passes of the last run that finished and their CPU time (for the benches). */
  get lastRun(): readonly LaneStats[] {
    return this.stats;
  }

  /** Worker threads (for tests that kill one). */
  get threads(): readonly Worker[] {
    return this.workers;
  }

  /**
   * Runs `tasks` across the lanes; reports in task order. `onDone(k, task)` is called as each
   * finishes (k = how many have finished), on the main thread.
   */
  run(tasks: readonly PassTask[], onDone?: (done: number, task: PassTask) => void): Promise<PassReport[]> {
    if (this.closed) {
      return Promise.reject(new Error(`pass lanes are closed (an earlier pass failed, or close() was called); cannot run ${tasks[0]?.label ?? 'an empty run'}`));
    }
    if (tasks.length === 0) return Promise.resolve([]);
    return loadMainLaneModules().then(
      ([timing, contracts]) =>
        new Promise<PassReport[]>((resolve, reject) => {
          if (this.closed) return reject(new Error(`pass lanes are closed (an earlier pass failed, or close() was called); cannot run ${tasks[0]!.label}`));
          const run: ActiveRun = {
            id: ++this.runs,
            tasks,
            control: new Int32Array(new SharedArrayBuffer(4 * (1 + tasks.length))),
            results: new Array<PassReport | undefined>(tasks.length),
            stats: Array.from({ length: this.workers.length + 1 }, (_, lane) => ({ lane, tasks: [], passCpuMs: 0, startupCpuMs: 0 })),
            done: 0,
            settled: false,
            onDone,
            resolve,
            reject,
          };
          this.active.set(run.id, run);
          // The plugin modules this thread imported (a --stages spec's), so the workers' registries have them too.
          const msg: LaneRun = { run: run.id, tasks, control: run.control, plugins: contracts.stagePluginModules(), ...(this.fault ? { fault: this.fault } : {}) };
          for (const w of this.workers) {
            w.ref();
            w.postMessage(msg);
          }
          if (this.mainLane && !this.mainBusy) void this.mainLoop(timing.runPassTiming);
        }),
    );
  }

  /**
   * The main thread's lane: claims and runs passes of the oldest run with passes left, yielding
   * between passes so that results, progress and new runs flow.
   */
  private async mainLoop(runPassTiming: typeof import('./pass-timing.js').runPassTiming): Promise<void> {
    this.mainBusy = true;
    try {
      for (;;) {
        let run: ActiveRun | undefined;
        let i = -1;
        for (const r of this.active.values()) {
          if (r.settled || Atomics.load(r.control, 0) >= r.tasks.length) continue;
          i = Atomics.add(r.control, 0, 1);
          if (i < r.tasks.length) {
            run = r;
            break;
          }
        }
        if (!run) return;
        Atomics.store(run.control, 1 + i, -1);
        const task = run.tasks[i]!;
        let report: PassReport;
        const cpu0 = threadCpuMs();
        try {
          report = runPassTiming(task.pass, { trace: task.trace });
        } catch (e) {
          this.fail(run, passFailure(task, 'on the main thread', e instanceof Error ? e.message : String(e), e));
          return;
        }
        const st = run.stats[0]!;
        st.tasks.push(i);
        st.passCpuMs += threadCpuMs() - cpu0;
        this.record(run, i, report);
        await new Promise<void>((r) => setImmediate(r));
      }
    } finally {
      this.mainBusy = false;
    }
  }

  private record(run: ActiveRun, i: number, report: PassReport): void {
    if (run.settled || run.results[i] !== undefined) return;
    run.results[i] = report;
    run.done++;
    run.onDone?.(run.done, run.tasks[i]!);
    if (run.done === run.tasks.length) {
      run.settled = true;
      this.active.delete(run.id);
      this.stats = run.stats;
      if (this.active.size === 0) for (const w of this.workers) w.unref();
      run.resolve(run.results as PassReport[]);
    }
  }

  private fail(run: ActiveRun, e: Error): void {
    if (run.settled) return;
    run.settled = true;
    Atomics.store(run.control, 0, run.tasks.length); // no lane claims another task
    this.active.delete(run.id);
    run.reject(e);
    void this.close();
  }

  private onMessage(m: LaneMessage): void {
    const run = this.active.get(m.run);
    if (!run) return;
    if ('error' in m) return this.fail(run, passFailure(run.tasks[m.index]!, 'in a pass worker', m.error));
    const st = run.stats[Atomics.load(run.control, 1 + m.index)];
    if (st) {
      st.tasks.push(m.index);
      st.passCpuMs += m.cpuMs;
      st.startupCpuMs += m.startupCpuMs ?? 0;
    }
    this.record(run, m.index, m.report);
  }

  /** A worker thread ended without close(): the run fails naming the pass the thread had claimed. */
  private onExit(lane: number, code: number): void {
    if (this.closed) return;
    const why = `the worker thread exited with code ${code}${this.workerErrors.has(lane) ? ` (${this.workerErrors.get(lane)})` : ''}`;
    for (const run of this.active.values()) {
      for (let i = 0; i < run.tasks.length; i++) {
        if (Atomics.load(run.control, 1 + i) === lane && run.results[i] === undefined) return this.fail(run, passFailure(run.tasks[i]!, 'in a pass worker', why));
      }
    }
    const first = this.active.values().next().value;
    if (first) this.fail(first, new Error(`pass worker ${lane}: ${why}`));
    else void this.close();
  }

  /** Stops the worker threads; runs in progress reject. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const run of this.active.values()) {
      run.settled = true;
      Atomics.store(run.control, 0, run.tasks.length);
      run.reject(new Error(`pass lanes are closed (an earlier pass failed, or close() was called) during ${run.tasks[0]!.label}`));
    }
    this.active.clear();
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
