import { LINEAR_STREAM_WIDTH_BYTES } from '@lut-llm/contracts';
import type { AccumulatedTileMeta, LinearStageImplementation, PsumTileMeta } from '@lut-llm/contracts';
import { portRuns, type ActorSpec, type Firing } from '@lut-llm/core';
import { accumulatorLatencyCycles, accumulatorTileCycles } from './cycle-model.js';
import { accumulatorKernel } from './kernel.js';
import { AccumulatorError, DEFAULT_FP32_ACCUMULATOR_PARAMS, DEFAULT_INT32_ACCUMULATOR_PARAMS, resolveAccumulatorParams, type AccumulatorParams } from './params.js';

/**
 * Ports of the accumulator actor:
 * - `in`: partial-sum tiles (PsumTileMeta / PsumTile) in block-major order;
 * - `out`: accumulated tiles (AccumulatedTileMeta / AccumulatedTile), one per output tile, written
 *   by the firing of the last block (the engine's `writes` rate);
 * - `bufIn` / `bufOut`: the output buffer, a private self-loop stream of depth tilesPerBlock
 *   holding one running tile per output tile between blocks (so the kernel stays pure and the
 *   buffer's capacity is explicit). `install` declares it.
 * All ports are LINEAR_STREAM_WIDTH_BYTES wide.
 */
type Numeric = AccumulatedTileMeta['numeric'];

// Port indices (declaration order of `inputs` / `outputs` in accumulatorActor).
const IN = 0;
const BUF_IN = 1;
const OUT = 0;
const BUF_OUT = 1;

function check(name: string, p: AccumulatorParams, numeric: Numeric, f: Firing): PsumTileMeta {
  const m = f.in[IN] as PsumTileMeta;
  const b = Math.floor(f.index / p.tilesPerBlock);
  const j = f.index % p.tilesPerBlock;
  if (m.block !== b || m.tile !== j) {
    throw new AccumulatorError(`${name}: firing ${f.index} expects block ${b}, tile ${j} of a ${p.blocks} x ${p.tilesPerBlock} schedule, got block ${m.block}, tile ${m.tile}`);
  }
  const want = numeric === 'int32' ? 'int32' : 'fp32-terms';
  if (m.numeric !== want) throw new AccumulatorError(`${name}: a ${numeric} accumulator got '${m.numeric}' partial sums`);
  const buf = f.in[BUF_IN] as PsumTileMeta | undefined;
  if (buf && (buf.tile !== j || buf.block !== b - 1)) {
    throw new AccumulatorError(`${name}: buffer holds block ${buf.block}, tile ${buf.tile} where block ${b - 1}, tile ${j} was expected`);
  }
  return m;
}

export function accumulatorActor(name: string, p: AccumulatorParams, numeric: Numeric): ActorSpec {
  const w = LINEAR_STREAM_WIDTH_BYTES;
  const latency = accumulatorLatencyCycles(p);
  const blockOf = (i: number) => Math.floor(i / p.tilesPerBlock);
  const READ_FIRST = [IN];
  const READ_BOTH = [IN, BUF_IN];
  const WRITE_OUT = [OUT];
  const WRITE_BUF = [BUF_OUT];
  // Reused from firing to firing (the engine keeps no reference).
  const cost = { iiCycles: 1, latencyCycles: latency };
  return {
    name,
    inputs: { in: { widthBytes: w }, bufIn: { widthBytes: w } },
    outputs: { out: { widthBytes: w }, bufOut: { widthBytes: w } },
    // As runs (looked up by the engine, not called per firing): block 0 reads the partial sums
    // only, the others the buffer too; the last block writes the result, the others the buffer
    // (and so would firings past the schedule, which \`cost\` rejects).
    reads: portRuns([[p.tilesPerBlock, READ_FIRST], [Infinity, READ_BOTH]]),
    writes: portRuns([[(p.blocks - 1) * p.tilesPerBlock, WRITE_BUF], [p.tilesPerBlock, WRITE_OUT], [Infinity, WRITE_BUF]]),
    cost: (f) => {
      const m = check(name, p, numeric, f);
      cost.iiCycles = accumulatorTileCycles(p, m.tokens, m.outEnd - m.outStart);
      return cost;
    },
    // Called after `cost`, which checked the tile. Between blocks the buffer carries the psum
    // tile's own metadata; the last block writes the accumulated tile.
    emit: (f, out) => {
      const m = f.in[IN] as PsumTileMeta;
      if (blockOf(f.index) < p.blocks - 1) {
        out[BUF_OUT] = m;
        return;
      }
      const acc: AccumulatedTileMeta = {
        kind: 'accumulated',
        numeric,
        op: m.op,
        tokens: m.tokens,
        tile: m.tile,
        tilesPerBlock: m.tilesPerBlock,
        outStart: m.outStart,
        outEnd: m.outEnd,
      };
      out[OUT] = acc;
    },
    kernel: accumulatorKernel,
  };
}

function stage(implementation: string, numeric: Numeric, defaults: AccumulatorParams): LinearStageImplementation<AccumulatorParams> {
  const resolve = (params: Partial<AccumulatorParams>) => resolveAccumulatorParams(params, defaults);
  return {
    stage: 'accumulator',
    implementation,
    defaults,
    actor: (name, params) => accumulatorActor(name, resolve(params), numeric),
    install(g, name, params, bindings) {
      const p = resolve(params);
      const input = bindings.in?.['in'];
      const out = bindings.out?.['out'];
      if (!input || !out) throw new AccumulatorError(`${name}: install needs bindings in.in and out.out`);
      // Exactly the buffer's capacity: one running tile per output tile (a self-loop frees the slot
      // it reads in the same firing, so no spare slot is needed).
      const buffer = g.stream(`${name}.buffer`, { depth: p.tilesPerBlock, widthBytes: LINEAR_STREAM_WIDTH_BYTES });
      g.invoke(accumulatorActor(name, p, numeric), { in: { in: input, bufIn: buffer }, out: { out, bufOut: buffer } });
      return [name];
    },
  };
}

/** INT32 accumulation of co-quantized partial sums (the reference design). */
export const int32AccumulatorStage = stage('int32', 'int32', DEFAULT_INT32_ACCUMULATOR_PARAMS);

/** FP32 accumulation of per-position terms (weight-only and activation-only VQ). */
export const fp32AccumulatorStage = stage('fp32', 'fp32', DEFAULT_FP32_ACCUMULATOR_PARAMS);
