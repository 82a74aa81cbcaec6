import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { QuantizedLinear } from '@lut-llm/vq';
import type { PassOptions } from '../inference/pass-graph.js';
import { shareQuantizedLinear } from '../inference/synthetic.js';
import type { PassReport } from '../inference/run.js';
import { claimChunks, LinearStreamError, lutLinearTilesInto, MAIN_LANE, phaseChunks, searchBlocks, type LinearOpBuffers, type LinearPhase, type LinearSchedule, type PhaseChunks } from './linear-kernel.js';

/** One task of the functional LUTLinear stream: a lane's claims on one phase of a registered layer's op (see `claimChunks`). */
export interface LinearTask {
  readonly layerId: number;
  /** The layer's shared arrays: sent only to a worker that answered `missing` for this id. */
  readonly layer?: QuantizedLinear;
  readonly schedule: LinearSchedule;
  /** The op's activations, indices and outputs (SharedArrayBuffer-backed: shared, not copied). */
  readonly buf: LinearOpBuffers;
  readonly chunks: PhaseChunks;
  /** The claim control array of the phase. */
  readonly ctl: Int32Array;
  /** This lane's mark in `ctl` (1, 2, ...). */
  readonly lane: number;
}

/** A timing-mode pass for a worker (the pass the stream computes the numbers of). */
export interface TimingPassTask {
  readonly timingPass: Omit<PassOptions, 'functional'>;
}

/** null once the lane found no chunk left, or the id of a layer the worker has not been given yet. */
export type LinearTaskResult = null | { readonly missing: number };

/**
 * Where the functional stream computes a LUTLinear op: one interface, two backends (inline on
 * this thread, or a pool of worker threads), never a branch in the timing engine.
 */
export interface LinearTileExecutor {
  /** Whether the op's buffers must live in SharedArrayBuffers (worker threads read and write them in place). */
  readonly shared: boolean;
  /**
   * Runs one phase of an op: the centroid search of every block into `buf.indices`, or every
   * output tile into `buf.y`. Rejects with a {@link LinearStreamError} naming the op and the
   * blocks or tiles that failed.
   */
  run(layer: QuantizedLinear, schedule: LinearSchedule, buf: LinearOpBuffers, phase: LinearPhase): Promise<void>;
  /** Runs a timing-mode pass off this thread, if the backend can (else the caller runs it inline). */
  timingPass?(opts: Omit<PassOptions, 'functional'>): Promise<PassReport>;
  close(): Promise<void>;
}

/** The kernels on this thread, the whole phase at once (no messaging). */
export const INLINE_LINEAR_EXECUTOR: LinearTileExecutor = {
  shared: false,
  run: async (layer, schedule, buf, phase) => {
    const pc = phaseChunks(schedule, phase, schedule.tileOutStart.length);
    try {
      if (phase === 'search') searchBlocks(layer, schedule, buf, 0, pc.units);
      else lutLinearTilesInto(layer, schedule, buf, 0, pc.units);
    } catch (e) {
      throw new LinearStreamError(schedule.op, phase, 0, pc.units, pc.units, e);
    }
  },
  close: async () => {},
};

export interface LinearPoolOptions {
  /** Worker threads (>= 1). */
  readonly workers: number;
  /**
   * Output tiles per claim (default 1). A 512-wide tile of a decode step is 0.2-3 ms of kernel
   * work against one atomic add per claim, so one tile is already coarse; larger claims only
   * make the lanes finish an op less evenly (see README, grain).
   */
  readonly tilesPerClaim?: number;
  /**
   * Whether this thread claims output tiles too (default false). It always takes part in the
   * search phase (short, and it would only wait). On 2 cores with 2 workers, a third computing
   * thread only time-slices with them.
   */
  readonly mainLane?: boolean;
}

/** The compiled worker module (dist/), whether this module runs from src/ (vitest) or dist/. */
export function linearWorkerPath(): string {
  const here = fileURLToPath(import.meta.url);
  const dist = here.endsWith('.ts') ? here.replace(/[\\/]src[\\/]functional[\\/]linear-pool\.ts$/, '/dist/functional/linear-worker.js') : here.replace(/linear-pool\.js$/, 'linear-worker.js');
  return dist;
}

/**
 * A piscina pool computing LUTLinear ops. A layer is registered once: its arrays are copied into
 * SharedArrayBuffers (unless they already live in one) and given an id; a worker caches it by id
 * on first use (a task names the id; a worker that lacks it answers `missing` and gets the shared
 * arrays once).
 *
 * Each phase of an op is cut into chunks (8 blocks, or `tilesPerClaim` output tiles) that the
 * lanes claim from one shared counter (`claimChunks`): one task per worker per phase, and this
 * thread claims too (always in the search, with `mainLane` in the tiles), then waits until every
 * chunk is done: a worker's task returns once it finds no chunk left, so the lane that finishes
 * the last chunk returns right after it, and each task's return (or failure) wakes this thread to
 * look at the shared count of chunks done. Results are written in
 * place into the op's shared buffers: no result messages, no copies. The work in flight is
 * bounded by the lanes: each holds one chunk at a time. A worker still busy (with the pass's
 * timing run, say) takes its task late, finds no chunk left and returns at once; the other lanes
 * have done its share. A chunk failing (kernel error, a worker dying) rejects naming the op and
 * the chunk's blocks or tiles, and closes the pool.
 */
export class LinearPool implements LinearTileExecutor {
  readonly shared = true;
  private readonly piscina: Piscina<LinearTask | TimingPassTask, LinearTaskResult | PassReport>;
  private readonly tilesPerClaim: number;
  private readonly mainLane: boolean;
  private readonly ids = new WeakMap<QuantizedLinear, { id: number; shared: QuantizedLinear }>();
  private nextId = 1;
  private closed = false;
  /** Tasks posted and not yet settled: close() lets them settle before ending the workers. */
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(readonly opts: LinearPoolOptions) {
    const n = opts.workers;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`LinearPool: workers must be an integer >= 1, got ${n}`);
    const g = opts.tilesPerClaim ?? 1;
    if (!Number.isInteger(g) || g < 1) throw new RangeError(`LinearPool: tilesPerClaim must be an integer >= 1, got ${g}`);
    this.tilesPerClaim = g;
    this.mainLane = opts.mainLane ?? false;
    const filename = linearWorkerPath();
    if (!existsSync(filename)) throw new Error(`LinearPool: the worker module ${filename} is not built; run \`npm run build\` (workers load compiled .js: node 20 cannot load .ts in worker_threads)`);
    this.piscina = new Piscina({ filename, minThreads: n, maxThreads: n, idleTimeout: 60_000 });
  }

  /** Worker threads (for tests that kill one). */
  get threads(): readonly { terminate(): Promise<number> }[] {
    return this.piscina.threads;
  }

  private register(layer: QuantizedLinear): { id: number; shared: QuantizedLinear } {
    let r = this.ids.get(layer);
    if (!r) {
      const shared = shareQuantizedLinear(layer);
      r = { id: this.nextId++, shared };
      this.ids.set(layer, r);
    }
    return r;
  }

  async run(layer: QuantizedLinear, schedule: LinearSchedule, buf: LinearOpBuffers, phase: LinearPhase): Promise<void> {
    if (this.closed) throw new Error('LinearPool: the pool is closed');
    for (const [name, a] of Object.entries(buf)) {
      if (!((a as Float32Array | Uint8Array).buffer instanceof SharedArrayBuffer)) throw new RangeError(`LinearPool: ${name} must live in a SharedArrayBuffer (the lanes share it, never copy)`);
    }
    const { id, shared } = this.register(layer);
    const pc = phaseChunks(schedule, phase, this.tilesPerClaim);
    const ctl = new Int32Array(new SharedArrayBuffer(4 * (2 + pc.chunks)));
    let failure: Error | undefined;
    let wake: (() => void) | undefined;
    let done = false;
    const fail = (e: Error) => {
      if (done || failure) return;
      failure = e;
      // Close without waiting: this error must reach the stream before the rejections of the tasks the closing pool drops.
      void this.close();
    };
    const post = (lane: number, withLayer: boolean): void => {
      const task: LinearTask = { layerId: id, schedule, buf, chunks: pc, ctl, lane, ...(withLayer ? { layer: shared } : {}) };
      this.track(this.piscina.run(task))
        .then(
          (r) => {
            if (r && 'missing' in r) {
              if (withLayer) fail(new LinearStreamError(schedule.op, phase, 0, pc.units, pc.units, new Error(`a worker did not keep layer ${id}`)));
              else if (!done) post(lane, true);
            }
          },
          (e: unknown) => fail(LinearStreamError.forLane(schedule, pc, ctl, lane, e)),
        )
        .finally(() => wake?.());
    };
    for (let lane = 1; lane <= this.opts.workers; lane++) post(lane, false);
    if (phase === 'search' || this.mainLane) {
      try {
        claimChunks(layer, schedule, buf, pc, ctl, MAIN_LANE);
      } catch (e) {
        fail(LinearStreamError.forLane(schedule, pc, ctl, MAIN_LANE, e));
      }
    }
    // Checked and armed in one synchronous step, so no task's return is missed.
    while (!failure && Atomics.load(ctl, 1) < pc.chunks) await new Promise<void>((r) => (wake = r));
    done = true;
    if (failure) throw failure;
  }

  async timingPass(opts: Omit<PassOptions, 'functional'>): Promise<PassReport> {
    if (this.closed) throw new Error('LinearPool: the pool is closed');
    try {
      return (await this.track(this.piscina.run({ timingPass: opts }))) as PassReport;
    } catch (e) {
      void this.close();
      throw new Error(`timing pass (${opts.phase}, ${opts.tokens} token(s) at position ${opts.history}) on a worker: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  private track<T>(task: Promise<T>): Promise<T> {
    this.inflight.add(task);
    const settled = () => this.inflight.delete(task);
    task.then(settled, settled);
    return task;
  }

  /**
   * Ends the workers once the tasks posted have settled. An op's run returns when its chunks are
   * done, while a lane that was busy may still hold its (now empty) task: destroying the pool
   * under it made piscina drop the task and then report the worker's late return as an
   * 'Unexpected message from Worker' error, uncaught (seen once in a full suite under load).
   * Such tasks return at once (no chunk left), and a dead worker's task rejects: nothing waits
   * long. Idempotent.
   */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled([...this.inflight]);
    await this.piscina.destroy();
  }
}
