import { LINEAR_STREAM_WIDTH_BYTES } from '@lut-llm/contracts';
import type { AccumulatedTileMeta, LinearStageImplementation, OutputTileMeta, ScaleTileMeta } from '@lut-llm/contracts';
import type { ActorSpec, Firing } from '@lut-llm/core';
import { dequantizerLatencyCycles, dequantizerTileCycles } from './cycle-model.js';
import { dequantizerKernel } from './kernel.js';
import { DEFAULT_DEQUANTIZER_PARAMS, DequantizerError, resolveDequantizerParams, type DequantizerParams } from './params.js';

/**
 * Ports of the dequantizer actor:
 * - `in`: INT32 accumulated tiles (AccumulatedTileMeta / AccumulatedTile, numeric 'int32');
 * - `scales`: the tile's group scale and zero point (ScaleTileMeta / ScaleTile<QuantizedLinear>),
 *   one per tile, streamed from the HBM scale channel;
 * - `out`: FP32 output tiles (OutputTileMeta / OutputTile).
 * All ports are LINEAR_STREAM_WIDTH_BYTES wide.
 */
// Port indices (declaration order of `inputs` / `outputs` in dequantizerActor).
const IN = 0;
const SCALES = 1;
const OUT = 0;

function tileOf(name: string, f: Firing): AccumulatedTileMeta {
  const m = f.in[IN] as AccumulatedTileMeta;
  const s = f.in[SCALES] as ScaleTileMeta;
  if (m.numeric !== 'int32') throw new DequantizerError(`${name}: dequantizes INT32 tiles, got a '${m.numeric}' tile`);
  if (s.outStart !== m.outStart || s.outEnd !== m.outEnd) {
    throw new DequantizerError(`${name}: scales of outputs [${s.outStart}, ${s.outEnd}) paired with the tile of outputs [${m.outStart}, ${m.outEnd})`);
  }
  return m;
}

export function dequantizerActor(name: string, p: DequantizerParams): ActorSpec {
  const w = LINEAR_STREAM_WIDTH_BYTES;
  const latency = dequantizerLatencyCycles(p);
  // Reused from firing to firing (the engine keeps no reference).
  const cost = { iiCycles: 1, latencyCycles: latency };
  return {
    name,
    inputs: { in: { widthBytes: w }, scales: { widthBytes: w } },
    outputs: { out: { widthBytes: w } },
    cost: (f) => {
      const m = tileOf(name, f);
      cost.iiCycles = dequantizerTileCycles(p, m.tokens, m.outEnd - m.outStart);
      return cost;
    },
    // Called after `cost`, which checked the pair.
    emit: (f, out) => {
      const m = f.in[IN] as AccumulatedTileMeta;
      const y: OutputTileMeta = { kind: 'output', op: m.op, tokens: m.tokens, tile: m.tile, tilesPerBlock: m.tilesPerBlock, outStart: m.outStart, outEnd: m.outEnd };
      out[OUT] = y;
    },
    kernel: dequantizerKernel,
  };
}

/** The streaming INT32 -> FP32 dequantizer (the reference design). */
export const dequantizerStage: LinearStageImplementation<DequantizerParams> = {
  stage: 'dequantizer',
  implementation: 'int32-to-fp32',
  defaults: DEFAULT_DEQUANTIZER_PARAMS,
  actor: (name, params) => dequantizerActor(name, resolveDequantizerParams(params)),
  install(g, name, params, bindings) {
    g.invoke(dequantizerActor(name, resolveDequantizerParams(params)), bindings);
    return [name];
  },
};
