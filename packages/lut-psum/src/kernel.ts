import type { ActivationIndexTile, ActivationTile, PsumTile, WeightTile, WeightTileMeta } from '@lut-llm/contracts';
import type { Kernel } from '@lut-llm/core';
import {
  activationOnlyAccumulateTile,
  lutAccumulateTile,
  weightOnlyAccumulateTile,
  type ActivationOnlyLinear,
  type QuantizedLinear,
} from '@lut-llm/vq';

/**
 * LUT-PSum kernels: thin wrappers over vq's tile kernels, so the stage is bit-identical to vq's
 * references by construction. `layer` is the layer restricted to the block's positions (its
 * `positions` are the block's), `indices` / `x` are the block's tile ([T][np] / [T][np * v]).
 */

/** Co-quantization: INT32 partial sums [T][w] over the block's positions (vq.lutAccumulateTile). */
export function lutPsum2dTile(layer: QuantizedLinear, indices: Uint8Array, tokens: number, outStart: number, outEnd: number): Int32Array {
  const psum = new Int32Array(tokens * (outEnd - outStart));
  lutAccumulateTile(layer, indices, tokens, 0, layer.positions, outStart, outEnd, psum);
  return psum;
}

/**
 * Activation-only: the FP32 term of each position, unsummed, [np][T][w]
 * (vq.activationOnlyAccumulateTile one position at a time into a zeroed slice: 0 + e = e).
 */
export function lutPsum1dTerms(layer: ActivationOnlyLinear, indices: Uint8Array, tokens: number, outStart: number, outEnd: number): Float32Array {
  const tw = tokens * (outEnd - outStart);
  const np = layer.positions;
  const terms = new Float32Array(np * tw);
  for (let p = 0; p < np; p++) activationOnlyAccumulateTile(layer, indices, tokens, p, p + 1, outStart, outEnd, terms.subarray(p * tw, (p + 1) * tw));
  return terms;
}

/** Weight-only: the FP32 term of each position [np][T][w] (vq.weightOnlyAccumulateTile per position). */
export function weightOnlyPsumTerms(layer: QuantizedLinear, x: Float32Array, tokens: number, outStart: number, outEnd: number): Float32Array {
  const tw = tokens * (outEnd - outStart);
  const np = layer.positions;
  const terms = new Float32Array(np * tw);
  for (let p = 0; p < np; p++) weightOnlyAccumulateTile(layer, x, tokens, p, p + 1, outStart, outEnd, terms.subarray(p * tw, (p + 1) * tw));
  return terms;
}

// ---- stage kernels: pure functions of a firing (worker-thread safe) ----------------------------

function tileMeta(firing: Parameters<Kernel>[2]): WeightTileMeta {
  return firing.inputs['weights'] as WeightTileMeta;
}

/** 2D (co-quantization) stage kernel: `act` ActivationIndexTile + `weights` WeightTile<QuantizedLinear> -> INT32 PsumTile. */
export const lutPsum2dKernel: Kernel = (inputs, _outputs, firing) => {
  const m = tileMeta(firing);
  const idx = (inputs['act'] as ActivationIndexTile).indices;
  const layer = (inputs['weights'] as WeightTile<QuantizedLinear>).layer;
  const out: PsumTile = { kind: 'int32', psum: lutPsum2dTile(layer, idx, idx.length / (m.posEnd - m.posStart), m.outStart, m.outEnd) };
  return { out };
};

/** 1D (activation-only) stage kernel: FP32 terms per position. */
export const lutPsum1dKernel: Kernel = (inputs, _outputs, firing) => {
  const m = tileMeta(firing);
  const np = m.posEnd - m.posStart;
  const idx = (inputs['act'] as ActivationIndexTile).indices;
  const layer = (inputs['weights'] as WeightTile<ActivationOnlyLinear>).layer;
  const out: PsumTile = { kind: 'fp32-terms', positions: np, terms: lutPsum1dTerms(layer, idx, idx.length / np, m.outStart, m.outEnd) };
  return { out };
};

/** Weight-only stage kernel: `act` ActivationTile (real x) -> FP32 terms per position. */
export const weightOnlyPsumKernel: Kernel = (inputs, _outputs, firing) => {
  const m = tileMeta(firing);
  const np = m.posEnd - m.posStart;
  const x = (inputs['act'] as ActivationTile).x;
  const layer = (inputs['weights'] as WeightTile<QuantizedLinear>).layer;
  const out: PsumTile = { kind: 'fp32-terms', positions: np, terms: weightOnlyPsumTerms(layer, x, x.length / (np * layer.cfg.v), m.outStart, m.outEnd) };
  return { out };
};
