import { blockPositionRange, type ActivationTile, type ActivationTileMeta, type CentroidTile, type CentroidTileMeta, type TileToken } from '@lut-llm/contracts';
import { centroidSearch } from '@lut-llm/centroid-search';
import type { QuantizedLinear } from '@lut-llm/vq';
import { catchError, defer, from, lastValueFrom, map, mergeMap, range, reduce, tap, throwError } from 'rxjs';
import { planOf } from '../lut-linear/graph.js';
import type { LutLinearConfig } from '../lut-linear/options.js';
import type { LinearSchedule } from './linear-kernel.js';
import type { LinearTileExecutor } from './linear-pool.js';

/**
 * A co-quantized LUTLinear computed as a stream of tiles outside the timing engine, with the
 * stage kernels of the engine's functional run (so the output is bit-identical to it):
 * 1. the blocks' activation tiles flow through the `centroidSearch` operator on this thread (a few
 *    hundred microseconds per op) into one shared index buffer [T][P];
 * 2. the op's output tiles are cut into tasks of `executor.tilesPerTask(tiles)` tiles; each task
 *    (LUT PSum + INT32 accumulation over every block, then dequantization: the expensive part)
 *    runs on the executor, at most `executor.maxInFlight` at a time (`mergeMap` concurrency);
 * 3. results land at their tiles' output columns, so completion order never changes the output.
 * A failing task rejects naming the op (`who`) and its tile range.
 *
 * `x` is [T][inFeatures]; returns [T][outFeatures].
 */
export async function lutLinearTileStream(layer: QuantizedLinear, x: Float32Array, cfg: LutLinearConfig, executor: LinearTileExecutor, who: string): Promise<Float32Array> {
  if (cfg.variant !== 'co-quant') throw new RangeError(`${who}: the functional stream computes co-quantized LUTLinear ops, got variant '${cfg.variant}'`);
  const plan = planOf(cfg);
  const { tokens: T, inFeatures: D, outFeatures: M } = cfg.shape;
  if (x.length !== T * D) throw new RangeError(`${who}: input has ${x.length} values, expected ${T} x ${D}`);
  const { v, cA } = cfg.numerics;
  const blockPosStart: number[] = [];
  for (let b = 0; b < plan.blocks; b++) blockPosStart.push(blockPositionRange(plan, b).posStart);
  blockPosStart.push(blockPositionRange(plan, plan.blocks - 1).posEnd);
  const schedule: LinearSchedule = { tokens: T, blockPosStart, tileOutStart: Array.from(plan.tileOutStart), tileOutEnd: Array.from(plan.tileOutEnd) };
  const P = blockPosStart[plan.blocks]!;
  const indices = new Uint8Array(new SharedArrayBuffer(T * P)); // [T][P]

  // 1. centroid search per block (the act / centroid tiles the engine's loaders emit)
  const base = (b: number) => ({ op: cfg.op, tokens: T, block: b, blocks: plan.blocks, posStart: blockPosStart[b]!, posEnd: blockPosStart[b + 1]! });
  const act = (b: number): TileToken<ActivationTileMeta, ActivationTile> => {
    const [p0, p1] = [blockPosStart[b]!, blockPosStart[b + 1]!];
    const w = (p1 - p0) * v;
    const xb = new Float32Array(T * w);
    for (let t = 0; t < T; t++) xb.set(x.subarray(t * D + p0 * v, t * D + p1 * v), t * w);
    return { meta: { kind: 'activation', v, ...base(b) }, payload: { x: xb } };
  };
  const cent = (b: number): TileToken<CentroidTileMeta, CentroidTile> => ({
    meta: { kind: 'centroids', centroids: cA, v, ...base(b) },
    payload: { codebooks: layer.actCodebooks.subarray(blockPosStart[b]! * cA * v, blockPosStart[b + 1]! * cA * v) },
  });
  await lastValueFrom(
    range(0, plan.blocks).pipe(
      map((b) => [act(b), cent(b)] as const),
      centroidSearch(cfg.centroidSearch),
      tap((t) => {
        // the block's indices [T][np] into their columns of [T][P]
        const [p0, np] = [t.meta.posStart, t.meta.posEnd - t.meta.posStart];
        for (let r = 0; r < T; r++) indices.set(t.payload.indices.subarray(r * np, (r + 1) * np), r * P + p0);
      }),
    ),
    { defaultValue: undefined },
  );

  // 2. tasks of `grain` output tiles, bounded in flight; 3. placed by tile
  const tiles = plan.tilesPerBlock;
  const grain = executor.tilesPerTask(tiles);
  const y = new Float32Array(T * M);
  const tasks = Array.from({ length: Math.ceil(tiles / grain) }, (_, k) => [k * grain, Math.min(tiles, (k + 1) * grain)] as const);
  await lastValueFrom(
    from(tasks).pipe(
      mergeMap(
        ([j0, j1]) =>
          defer(() => executor.run(layer, indices, schedule, j0, j1)).pipe(
            map((out) => ({ j0, j1, out })),
            catchError((e: unknown) => throwError(() => new LinearStreamError(who, j0, j1, tiles, e))),
          ),
        executor.maxInFlight,
      ),
      tap({
        next: ({ j0, j1, out }) => {
          let o = 0;
          for (let j = j0; j < j1; j++) {
            const [s, e] = [schedule.tileOutStart[j]!, schedule.tileOutEnd[j]!];
            const w = e - s;
            for (let t = 0; t < T; t++) y.set(out.subarray(o + t * w, o + (t + 1) * w), t * M + s);
            o += T * w;
          }
        },
      }),
      reduce((n) => n + 1, 0),
    ),
  );
  return y;
}

/** A functional LUTLinear task failed (a kernel error, a worker dying): names the op and its tile range. */
export class LinearStreamError extends Error {
  constructor(
    readonly op: string,
    readonly tile0: number,
    readonly tile1: number,
    readonly tiles: number,
    cause: unknown,
  ) {
    super(`functional LUTLinear ${op}, output tiles ${tile0}..${tile1 - 1} of ${tiles}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'LinearStreamError';
  }
}
