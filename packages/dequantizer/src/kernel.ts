import type { AccumulatedTile, AccumulatedTileMeta, ScaleTile } from '@lut-llm/contracts';
import type { Kernel } from '@lut-llm/core';
import { dequantizeTile, type QuantizedLinear } from '@lut-llm/vq';
import { DequantizerError } from './params.js';

/** FP32 outputs [T][w] of an INT32 tile (vq.dequantizeTile: bit-identical to vq's reference). */
export function dequantizeOutputTile(layer: QuantizedLinear, acc: Int32Array, tokens: number, outStart: number, outEnd: number): Float32Array {
  const y = new Float32Array(tokens * (outEnd - outStart));
  dequantizeTile(layer, acc, tokens, outStart, outEnd, y);
  return y;
}

/** The stage kernel, a pure function of the firing (worker-thread safe). */
export const dequantizerKernel: Kernel = (inputs, _outputs, firing) => {
  const m = firing.inputs['in'] as AccumulatedTileMeta;
  const acc = inputs['in'] as AccumulatedTile;
  if (acc.kind !== 'int32') throw new DequantizerError(`${firing.actor}: payload is not an INT32 tile`);
  const layer = (inputs['scales'] as ScaleTile<QuantizedLinear>).layer;
  return { out: { y: dequantizeOutputTile(layer, acc.acc, m.tokens, m.outStart, m.outEnd) } };
};
