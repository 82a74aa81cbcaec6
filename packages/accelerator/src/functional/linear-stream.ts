import { blockPositionRange } from '@lut-llm/contracts';
import type { QuantizedLinear } from '@lut-llm/vq';
import { planOf } from '../lut-linear/graph.js';
import type { LutLinearConfig } from '../lut-linear/options.js';
import type { LinearOpBuffers, LinearSchedule } from './linear-kernel.js';
import type { LinearTileExecutor } from './linear-pool.js';

/**
 * A co-quantized LUTLinear computed outside the timing engine, with the stage kernels of the
 * engine's functional run (so the output is bit-identical to it), in two phases on `executor`:
 * 1. the centroid search: the blocks' activation and centroid tiles (the tiles the engine's
 *    loaders emit) through the `centroidSearch` operator, into one index buffer [T][P];
 * 2. the output tiles: per tile, LUT PSum + INT32 accumulation over every block, then
 *    dequantization (the expensive part), each written at its output columns.
 * Inline, each phase runs in one piece on this thread; on a `LinearPool` the phases are cut into
 * chunks that the lanes claim (see LinearPool), so completion order never changes the output.
 * A failure rejects with a {@link LinearStreamError} naming the op (`who`) and its blocks or tiles.
 *
 * `x` is [T][inFeatures]; returns [T][outFeatures].
 */
export async function lutLinearTileStream(layer: QuantizedLinear, x: Float32Array, cfg: LutLinearConfig, executor: LinearTileExecutor, who: string): Promise<Float32Array> {
  if (cfg.variant !== 'co-quant') throw new RangeError(`${who}: the functional stream computes co-quantized LUTLinear ops, got variant '${cfg.variant}'`);
  const plan = planOf(cfg);
  const { tokens: T, inFeatures: D, outFeatures: M } = cfg.shape;
  if (x.length !== T * D) throw new RangeError(`${who}: input has ${x.length} values, expected ${T} x ${D}`);
  const blockPosStart: number[] = [];
  for (let b = 0; b < plan.blocks; b++) blockPosStart.push(blockPositionRange(plan, b).posStart);
  blockPosStart.push(blockPositionRange(plan, plan.blocks - 1).posEnd);
  const schedule: LinearSchedule = {
    op: who,
    tokens: T,
    inFeatures: D,
    outFeatures: M,
    v: cfg.numerics.v,
    centroids: cfg.numerics.cA,
    blockPosStart,
    tileOutStart: Array.from(plan.tileOutStart),
    tileOutEnd: Array.from(plan.tileOutEnd),
    search: cfg.centroidSearch,
  };
  const P = blockPosStart[plan.blocks]!;
  // Worker lanes read and write the op's buffers in place.
  const f32 = (n: number) => (executor.shared ? new Float32Array(new SharedArrayBuffer(4 * n)) : new Float32Array(n));
  const xs = executor.shared && !(x.buffer instanceof SharedArrayBuffer) ? f32(x.length) : x;
  if (xs !== x) xs.set(x);
  const buf: LinearOpBuffers = { x: xs, indices: executor.shared ? new Uint8Array(new SharedArrayBuffer(T * P)) : new Uint8Array(T * P), y: f32(T * M) };
  await executor.run(layer, schedule, buf, 'search');
  await executor.run(layer, schedule, buf, 'tiles');
  return buf.y;
}
