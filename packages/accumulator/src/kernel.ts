import type { AccumulatedTile, PsumTile } from '@lut-llm/contracts';
import type { Kernel } from '@lut-llm/core';
import { AccumulatorError } from './params.js';

/**
 * Accumulator kernels. Integer: acc = buffer + psum in INT32 (wrap-around, like vq's Int32Array
 * accumulation; integer addition is associative, so summing blocks is bit-identical to vq's
 * whole-layer sum). FP32: the block's per-position terms are added to the running sum one
 * position at a time in ascending order, acc = fp32(acc + term), which is exactly vq's
 * weight-only / activation-only accumulation order. Inputs are never modified.
 */

/** buffer (or 0) + psum, INT32 [T][w]. */
export function accumulateInt32(psum: Int32Array, buffer?: Int32Array): Int32Array {
  const out = new Int32Array(psum.length);
  if (buffer) {
    if (buffer.length !== psum.length) throw new AccumulatorError(`accumulator: buffer tile has ${buffer.length} values, partial sums ${psum.length}`);
    for (let i = 0; i < out.length; i++) out[i] = buffer[i]! + psum[i]!;
  } else {
    out.set(psum);
  }
  return out;
}

/** Folds terms [positions][T][w] into buffer (or +0) in ascending position order, FP32 [T][w]. */
export function accumulateFp32Terms(terms: Float32Array, positions: number, buffer?: Float32Array): Float32Array {
  if (!Number.isInteger(positions) || positions < 1 || terms.length % positions !== 0) {
    throw new AccumulatorError(`accumulator: ${terms.length} terms cannot be split into ${positions} positions`);
  }
  const tw = terms.length / positions;
  const out = new Float32Array(tw);
  if (buffer) {
    if (buffer.length !== tw) throw new AccumulatorError(`accumulator: buffer tile has ${buffer.length} values, terms ${tw} per position`);
    out.set(buffer);
  }
  for (let p = 0; p < positions; p++) {
    const o = p * tw;
    for (let i = 0; i < tw; i++) out[i] = out[i]! + terms[o + i]!;
  }
  return out;
}

/**
 * The stage kernel, a pure function of the payloads (worker-thread safe): `in` PsumTile (+ `bufIn`
 * AccumulatedTile from the previous block) -> the running tile on `out` and `bufOut` (the firing
 * writes one of them).
 */
export const accumulatorKernel: Kernel = (inputs) => {
  const psum = inputs['in'] as PsumTile;
  const buf = inputs['bufIn'] as AccumulatedTile | undefined;
  const acc: AccumulatedTile =
    psum.kind === 'int32'
      ? { kind: 'int32', acc: accumulateInt32(psum.psum, buf?.kind === 'int32' ? buf.acc : undefined) }
      : { kind: 'fp32', y: accumulateFp32Terms(psum.terms, psum.positions, buf?.kind === 'fp32' ? buf.y : undefined) };
  return { out: acc, bufOut: acc };
};
