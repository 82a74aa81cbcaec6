import { accumulateInt32 } from '@lut-llm/accumulator';
import { dequantizeOutputTile } from '@lut-llm/dequantizer';
import { lutPsum2dTile } from '@lut-llm/lut-psum';
import type { QuantizedLinear } from '@lut-llm/vq';
import { quantizedLinearBlock } from '../lut-linear/layer-views.js';

/**
 * The schedule of one LUTLinear op as the functional stream needs it: block b covers positions
 * [blockPosStart[b], blockPosStart[b + 1]); output tile j covers outputs [tileOutStart[j], tileOutEnd[j]).
 * Plain arrays of numbers: they travel to a worker once per task (a few hundred bytes).
 */
export interface LinearSchedule {
  readonly tokens: number;
  readonly blockPosStart: readonly number[];
  readonly tileOutStart: readonly number[];
  readonly tileOutEnd: readonly number[];
}

/**
 * Output tiles [tile0, tile1) of a co-quantized LUTLinear over every block: per block and tile the
 * 2D LUT partial sums (`lutPsum2dTile`, the matcher chain's kernel), INT32 accumulation in block
 * order (`accumulateInt32`, the accumulator's), then dequantization (`dequantizeOutputTile`, the
 * dequantizer's) — the same kernels, on the same tiles, as the engine's functional firings, so
 * the outputs are bit-identical. `indices` holds each block's activation indices [T][np] one
 * block after another (block b at offset T x blockPosStart[b]).
 * Returns the tiles' outputs, tile after tile, each [T][w].
 */
export function lutLinearTiles(layer: QuantizedLinear, indices: Uint8Array, s: LinearSchedule, tile0: number, tile1: number): Float32Array {
  const T = s.tokens;
  const blocks = s.blockPosStart.length - 1;
  let width = 0;
  for (let j = tile0; j < tile1; j++) width += s.tileOutEnd[j]! - s.tileOutStart[j]!;
  const out = new Float32Array(T * width);
  const acc: (Int32Array | undefined)[] = new Array(tile1 - tile0);
  for (let b = 0; b < blocks; b++) {
    const p0 = s.blockPosStart[b]!;
    const p1 = s.blockPosStart[b + 1]!;
    const view = quantizedLinearBlock(layer, p0, p1);
    const idx = indices.subarray(T * p0, T * p1);
    for (let j = tile0; j < tile1; j++) acc[j - tile0] = accumulateInt32(lutPsum2dTile(view, idx, T, s.tileOutStart[j]!, s.tileOutEnd[j]!), acc[j - tile0]);
  }
  let o = 0;
  for (let j = tile0; j < tile1; j++) {
    const y = dequantizeOutputTile(layer, acc[j - tile0]!, T, s.tileOutStart[j]!, s.tileOutEnd[j]!);
    out.set(y, o);
    o += y.length;
  }
  return out;
}
