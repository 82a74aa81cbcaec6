import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { QuantizedLinear } from '@lut-llm/vq';
import type { PassOptions } from '../inference/pass-graph.js';
import { shareQuantizedLinear } from '../inference/synthetic.js';
import type { PassReport } from '../inference/run.js';
import { lutLinearTiles, type LinearSchedule } from './linear-kernel.js';

/** One task of the functional LUTLinear stream: output tiles [tile0, tile1) of a registered layer over all blocks. */
export interface LinearTask {
  readonly layerId: number;
  /** The layer's shared arrays: sent only to a worker that answered `missing` for this id. */
  readonly layer?: QuantizedLinear;
  /** The op's activation indices, every block (SharedArrayBuffer-backed: shared, not copied). */
  readonly indices: Uint8Array;
  readonly schedule: LinearSchedule;
  readonly tile0: number;
  readonly tile1: number;
}

/** A timing-mode pass for a worker (the pass the stream computes the numbers of). */
export interface TimingPassTask {
  readonly timingPass: Omit<PassOptions, 'functional'>;
}

/** The tiles' outputs, or the id of a layer the worker has not been given yet. */
export type LinearTaskResult = Float32Array | { readonly missing: number };

/**
 * Where the functional stream computes a LUTLinear's tiles: one interface, two backends (inline
 * on this thread, or a piscina pool), never a branch in the timing engine.
 */
export interface LinearTileExecutor {
  /** Tasks in flight at most (the mergeMap bound). */
  readonly maxInFlight: number;
  /** Output tiles per task for an op of `tiles` tiles. */
  tilesPerTask(tiles: number): number;
  /** Outputs of tiles [tile0, tile1), tile after tile, each [T][w]. */
  run(layer: QuantizedLinear, indices: Uint8Array, schedule: LinearSchedule, tile0: number, tile1: number): Promise<Float32Array>;
  /** Runs a timing-mode pass off this thread, if the backend can (else the caller runs it inline). */
  timingPass?(opts: Omit<PassOptions, 'functional'>): Promise<PassReport>;
  close(): Promise<void>;
}

/** The kernels on this thread, one task per op (no messaging). */
export const INLINE_LINEAR_EXECUTOR: LinearTileExecutor = {
  maxInFlight: 1,
  tilesPerTask: (tiles) => tiles,
  run: async (layer, indices, schedule, tile0, tile1) => lutLinearTiles(layer, indices, schedule, tile0, tile1),
  close: async () => {},
};

export interface LinearPoolOptions {
  /** Worker threads (>= 1). */
  readonly workers: number;
  /**
   * Output tiles per task, or 'auto': ceil(tiles / (2 x workers)), two tasks per worker per op so
   * a worker finishing early takes another. A 512-wide tile of a decode step is 1-3 ms of kernel
   * work against ~0.1 ms of messaging: one tile per task is already coarse (see README, grain).
   */
  readonly tilesPerTask?: number | 'auto';
  /** Tasks in flight at most. Default 2 x workers (each worker holds one running and one queued). */
  readonly maxInFlight?: number;
}

/** The compiled worker module (dist/), whether this module runs from src/ (vitest) or dist/. */
export function linearWorkerPath(): string {
  const here = fileURLToPath(import.meta.url);
  const dist = here.endsWith('.ts') ? here.replace(/[\\/]src[\\/]functional[\\/]linear-pool\.ts$/, '/dist/functional/linear-worker.js') : here.replace(/linear-pool\.js$/, 'linear-worker.js');
  return dist;
}

/**
 * A piscina pool computing LUTLinear tiles. A layer is registered once: its arrays are copied
 * into SharedArrayBuffers (unless they already live in one) and given an id; a worker caches it
 * by id on first use (a task names the id; a worker that lacks it answers `missing` and gets the
 * shared arrays once). A task failing (kernel error, a worker dying) rejects with the tile range
 * and closes the pool.
 */
export class LinearPool implements LinearTileExecutor {
  readonly maxInFlight: number;
  private readonly piscina: Piscina<LinearTask, LinearTaskResult>;
  private readonly grain: number | 'auto';
  private readonly ids = new WeakMap<QuantizedLinear, { id: number; shared: QuantizedLinear }>();
  private nextId = 1;
  private closed = false;

  constructor(readonly opts: LinearPoolOptions) {
    const n = opts.workers;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`LinearPool: workers must be an integer >= 1, got ${n}`);
    const g = opts.tilesPerTask ?? 'auto';
    if (g !== 'auto' && (!Number.isInteger(g) || g < 1)) throw new RangeError(`LinearPool: tilesPerTask must be 'auto' or an integer >= 1, got ${g}`);
    this.grain = g;
    this.maxInFlight = opts.maxInFlight ?? 2 * n;
    if (!Number.isInteger(this.maxInFlight) || this.maxInFlight < 1) throw new RangeError(`LinearPool: maxInFlight must be an integer >= 1, got ${this.maxInFlight}`);
    const filename = linearWorkerPath();
    if (!existsSync(filename)) throw new Error(`LinearPool: the worker module ${filename} is not built; run \`npm run build\` (workers load compiled .js: node 20 cannot load .ts in worker_threads)`);
    this.piscina = new Piscina({ filename, minThreads: n, maxThreads: n, idleTimeout: 60_000 });
  }

  /** Worker threads (for tests that kill one). */
  get threads(): readonly { terminate(): Promise<number> }[] {
    return this.piscina.threads;
  }

  tilesPerTask(tiles: number): number {
    return this.grain === 'auto' ? Math.max(1, Math.ceil(tiles / (2 * this.opts.workers))) : this.grain;
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

  async run(layer: QuantizedLinear, indices: Uint8Array, schedule: LinearSchedule, tile0: number, tile1: number): Promise<Float32Array> {
    if (this.closed) throw new Error('LinearPool: the pool is closed');
    if (!(indices.buffer instanceof SharedArrayBuffer)) throw new RangeError('LinearPool: indices must live in a SharedArrayBuffer (tasks share them, never copy)');
    const { id, shared } = this.register(layer);
    try {
      const task: LinearTask = { layerId: id, indices, schedule, tile0, tile1 };
      let r = await this.piscina.run(task);
      if (!(r instanceof Float32Array)) r = await this.piscina.run({ ...task, layer: shared });
      if (!(r instanceof Float32Array)) throw new Error(`a worker did not keep layer ${id}`);
      return r;
    } catch (e) {
      // Close without waiting: this task's error must reach the stream before the rejections
      // of the tasks the closing pool drops.
      void this.close();
      throw e;
    }
  }

  async timingPass(opts: Omit<PassOptions, 'functional'>): Promise<PassReport> {
    if (this.closed) throw new Error('LinearPool: the pool is closed');
    try {
      return (await this.piscina.run({ timingPass: opts } as never)) as unknown as PassReport;
    } catch (e) {
      void this.close();
      throw new Error(`timing pass (${opts.phase}, ${opts.tokens} token(s) at position ${opts.history}) on a worker: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
  }

  /** Ends the workers; tasks still queued reject. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.piscina.destroy();
  }
}
