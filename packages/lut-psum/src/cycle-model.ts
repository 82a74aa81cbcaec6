import { bankResource, memoryBank, PRIMITIVES, type MemoryBank } from '@lut-llm/memory';
import type { ResourceSpec } from '@lut-llm/core';
import type { LutPsum1dParams, LutPsum2dParams, WeightOnlyDspPsumParams, WeightOnlyPsumParams } from './params.js';

/**
 * Cycle models of the LUT-PSum implementations: pure functions of the parameters and of a tile's
 * shape (T tokens, w outputs, whether the tile brings a new table). One firing is one
 * (position block, output tile): all matchers work in lockstep on their own position, so the
 * chain's timing is one matcher's plus the systolic skew, and one matcher's table bank stands for
 * all (every matcher makes the same accesses in the same cycles).
 *
 * 2D (co-quantization):
 *   passes   = ceil(w / outputLanes)
 *   II       = T * passes                          (per token: one row, 512 picks and adds per cycle)
 *   accesses = T * passes * (rowFetch = registers ? 1 : outputLanes)  +  (new table ? c_a : 0)
 *              on a bank of tablePartitions x ports accesses per cycle (row reads + table-fill writes)
 *   latency  = bank read + fanoutStages(lanes / copies) + mux + matchers * adder
 * 1D (activation-only):
 *   II       = T * ceil(w / fp32AddLanes)
 *   accesses = T * w + c_a * w  on outputLanes per-lane banks (reads + the per-lane table fill)
 *   latency  = bank read + matchers * fp32 add
 * Weight-only, online tables (the T-MAC-style alternate):
 *   II       = T * max(ceil(w / fp32AddLanes), ceil(c_w * v / tableBuildMacsPerCycle))
 *   latency  = v * fp32 mul (the online dot products) + fanoutStages(lanes / copies) + mux + matchers * fp32 add
 * Weight-only, de-quantisation + DSP arithmetic (the paper's weight-only):
 *   II       = T * ceil(v * w / dspMacsPerMatcher)
 *   latency  = fanoutStages(lanes / copies) + mux + fp32 mul + ceil(log2 v) * fp32 add + matchers * fp32 add
 */

/** Replication stages to drive `loads` loads when one register drives `maxFanout` per cycle. */
export function fanoutStages(loads: number, maxFanout: number): number {
  let stages = 0;
  for (let reach = maxFanout; reach < loads; reach *= maxFanout) stages++;
  return stages;
}

/** Shape of one PSum firing. */
export interface PsumTileShape {
  readonly tokens: number;
  /** Outputs of the tile. */
  readonly width: number;
  /** The tile brings the (position, group) tables (first tile of its group). */
  readonly loadsTable: boolean;
}

// ---- 2D ---------------------------------------------------------------------------------------

/** The table bank of one matcher: two (position, group) tables (ping-pong), one row per word. */
export function lutPsum2dBank(name: string, p: LutPsum2dParams): MemoryBank {
  return memoryBank(`${name}.table`, p.tableMemory, 2 * p.activationCentroids, p.weightCentroids * p.lutBits, p.tablePartitions);
}

export function lutPsum2dResources(name: string, p: LutPsum2dParams): readonly ResourceSpec[] {
  return [bankResource(lutPsum2dBank(name, p))];
}

export function lutPsum2dTileCycles(p: LutPsum2dParams, t: PsumTileShape): number {
  return t.tokens * Math.ceil(t.width / p.outputLanes);
}

export function lutPsum2dPortAccesses(p: LutPsum2dParams, t: PsumTileShape): number {
  const passes = Math.ceil(t.width / p.outputLanes);
  const readsPerToken = p.rowFetch === 'registers' ? 1 : Math.min(t.width, p.outputLanes);
  return t.tokens * passes * readsPerToken + (t.loadsTable ? p.activationCentroids : 0);
}

export function lutPsum2dLatencyCycles(p: LutPsum2dParams): number {
  const fanout = p.rowFetch === 'registers' ? fanoutStages(Math.ceil(p.outputLanes / p.registerCopies), p.maxFanoutPerStage) : 0;
  return PRIMITIVES[p.tableMemory].readLatencyCycles + fanout + p.muxLatencyCycles + p.matchers * p.adderLatencyCycles;
}

/** Flip-flops of the row registers of the whole chain (copies x c_w entries x bits x matchers). */
export function lutPsum2dRegisterBits(p: LutPsum2dParams): number {
  return p.rowFetch === 'registers' ? p.matchers * p.registerCopies * p.weightCentroids * p.lutBits : 0;
}

// ---- 1D ---------------------------------------------------------------------------------------

/** Per-lane table banks of one matcher: c_a entries per lane, ping-pong. */
export function lutPsum1dBank(name: string, p: LutPsum1dParams): MemoryBank {
  return memoryBank(`${name}.table`, p.tableMemory, 2 * p.activationCentroids * p.outputLanes, p.entryBits, p.outputLanes);
}

export function lutPsum1dResources(name: string, p: LutPsum1dParams): readonly ResourceSpec[] {
  return [bankResource(lutPsum1dBank(name, p))];
}

export function lutPsum1dTileCycles(p: LutPsum1dParams, t: PsumTileShape): number {
  return t.tokens * Math.ceil(t.width / p.fp32AddLanes);
}

export function lutPsum1dPortAccesses(p: LutPsum1dParams, t: PsumTileShape): number {
  return t.tokens * t.width + p.activationCentroids * t.width;
}

export function lutPsum1dLatencyCycles(p: LutPsum1dParams): number {
  return PRIMITIVES[p.tableMemory].readLatencyCycles + p.matchers * p.fp32AddLatencyCycles;
}

/** On-chip bytes of the 1D tables of the whole chain (ping-pong). */
export function lutPsum1dTableBytes(p: LutPsum1dParams): number {
  return (p.matchers * 2 * p.activationCentroids * p.outputLanes * p.entryBits) / 8;
}

// ---- weight-only --------------------------------------------------------------------------------

export function weightOnlyPsumTileCycles(p: WeightOnlyPsumParams, t: PsumTileShape): number {
  const adds = Math.ceil(t.width / p.fp32AddLanes);
  const build = Math.ceil((p.weightCentroids * p.subvectorLength) / p.tableBuildMacsPerCycle);
  return t.tokens * Math.max(adds, build);
}

export function weightOnlyPsumLatencyCycles(p: WeightOnlyPsumParams): number {
  const fanout = fanoutStages(Math.ceil(p.outputLanes / p.registerCopies), p.maxFanoutPerStage);
  return p.subvectorLength * p.fp32MulLatencyCycles + fanout + p.muxLatencyCycles + p.matchers * p.fp32AddLatencyCycles;
}

// ---- weight-only, de-quantisation + DSP arithmetic (the paper's weight-only) ----------------------

/**
 * II of one tile: each matcher de-quantizes its position's w weight sub-vectors and does v x w
 * FP32 multiply-adds per token on dspMacsPerMatcher DSPs: T * ceil(v * w / dspMacsPerMatcher).
 * Example (defaults, T = 3, w = 512): 3 * ceil(1024 / 128) = 24.
 */
export function weightOnlyDspPsumTileCycles(p: WeightOnlyDspPsumParams, t: PsumTileShape): number {
  return t.tokens * Math.ceil((p.subvectorLength * t.width) / p.dspMacsPerMatcher);
}

/**
 * Latency: codebook registers fanned out to the lanes' muxes, the de-quantising mux, the v
 * products in parallel (one FP32 multiply), their sum (ceil(log2 v) FP32 adds), then the systolic
 * chain of `matchers` FP32 adds. Defaults: 2 + 1 + 3 + 3 + 16 x 3 = 57.
 */
export function weightOnlyDspPsumLatencyCycles(p: WeightOnlyDspPsumParams): number {
  const fanout = fanoutStages(Math.ceil(p.outputLanes / p.registerCopies), p.maxFanoutPerStage);
  const sumDepth = Math.ceil(Math.log2(p.subvectorLength));
  return fanout + p.muxLatencyCycles + p.fp32MulLatencyCycles + sumDepth * p.fp32AddLatencyCycles + p.matchers * p.fp32AddLatencyCycles;
}
