import { dequantizeOutputTile } from '@lut-llm/dequantizer';
import { lutAccumulateTile, type QuantizedLinear } from '@lut-llm/vq';

/**
 * The schedule of one LUTLinear op as the functional stream needs it: block b covers positions
 * [blockPosStart[b], blockPosStart[b + 1]) (the blocks the centroid search ran in); output tile j
 * covers outputs [tileOutStart[j], tileOutEnd[j]).
 * Plain arrays of numbers: they travel to a worker once per task (a few hundred bytes).
 */
export interface LinearSchedule {
  readonly tokens: number;
  readonly blockPosStart: readonly number[];
  readonly tileOutStart: readonly number[];
  readonly tileOutEnd: readonly number[];
}

/**
 * Output tiles [tile0, tile1) of a co-quantized LUTLinear over every position: per tile the 2D
 * LUT partial sums of all positions accumulated in INT32 (`lutAccumulateTile`, the kernel under the
 * matcher chain's `lutPsum2dTile`), then dequantization (`dequantizeOutputTile`, the dequantizer's).
 * The engine sums each block's partial sums (`accumulateInt32`) in block order; INT32 addition
 * wraps modulo 2^32 and is associative and commutative, so one accumulation over all positions
 * gives the same bits (the specs compare them) with no per-block partial-sum arrays, no per-block
 * add pass, and the look-up loop running over all positions at once (it reads and writes each
 * accumulator once per four positions). `indices` holds the activation indices [T][P] (P = the
 * layer's positions).
 * Returns the tiles' outputs, tile after tile, each [T][w].
 */
export function lutLinearTiles(layer: QuantizedLinear, indices: Uint8Array, s: LinearSchedule, tile0: number, tile1: number): Float32Array {
  const T = s.tokens;
  const P = layer.positions;
  let width = 0;
  for (let j = tile0; j < tile1; j++) width += s.tileOutEnd[j]! - s.tileOutStart[j]!;
  const out = new Float32Array(T * width);
  let o = 0;
  for (let j = tile0; j < tile1; j++) {
    const [n0, n1] = [s.tileOutStart[j]!, s.tileOutEnd[j]!];
    const acc = new Int32Array(T * (n1 - n0));
    lutAccumulateTile(layer, indices, T, 0, P, n0, n1, acc);
    out.set(dequantizeOutputTile(layer, acc, T, n0, n1), o);
    o += acc.length;
  }
  return out;
}
