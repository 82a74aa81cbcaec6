import type { ConformanceCase } from '@lut-llm/contracts/conformance';
import { Rng } from '@lut-llm/vq';
import type { AccumulatorParams } from './params.js';

/**
 * The accumulators on themselves: 3 blocks x 2 output tiles of 40 outputs, T = 2, block-major
 * partial sums; the output buffer is the private self-loop bufOut -> bufIn of depth tilesPerBlock
 * (as `install` declares it). References written here: INT32 sums; FP32 terms folded in ascending
 * position order from +0 with one rounding per add (Math.fround).
 */
const T = 2;
const W = 40;
const BLOCKS = 3;
const TILES = 2;
const POSITIONS = 2; // per block (FP32 terms)
const rng = new Rng(21);
const schedule = { blocks: BLOCKS, tilesPerBlock: TILES };
const loops = { bufOut: { input: 'bufIn', depth: TILES } };

function meta(b: number, j: number, numeric: 'int32' | 'fp32-terms') {
  return { kind: 'psum', numeric, op: 'conformance', tokens: T, block: b, blocks: BLOCKS, posStart: b * POSITIONS, posEnd: (b + 1) * POSITIONS, tile: j, tilesPerBlock: TILES, outStart: j * W, outEnd: (j + 1) * W };
}

export function int32AccumulatorCase(params: Partial<AccumulatorParams>, label: string): ConformanceCase<AccumulatorParams> {
  const psums = Array.from({ length: BLOCKS * TILES }, () => Int32Array.from({ length: T * W }, () => Math.round(rng.normal() * 1e6)));
  const sums = Array.from({ length: TILES }, (_, j) => Int32Array.from({ length: T * W }, (_, k) => psums.reduce((a, p, i) => (i % TILES === j ? a + p[k]! : a), 0)));
  return {
    label,
    params: { ...schedule, ...params },
    inputs: { in: psums.map((psum, i) => ({ meta: meta(Math.floor(i / TILES), i % TILES, 'int32'), payload: { kind: 'int32', psum } })) },
    expected: { out: sums.map((acc) => ({ kind: 'int32', acc })) },
    selfLoops: loops,
  };
}

export function fp32AccumulatorCase(): ConformanceCase<AccumulatorParams> {
  const terms = Array.from({ length: BLOCKS * TILES }, () => Float32Array.from({ length: POSITIONS * T * W }, () => rng.normal()));
  const ys = Array.from({ length: TILES }, (_, j) => {
    const y = new Float32Array(T * W);
    for (let b = 0; b < BLOCKS; b++) for (let p = 0; p < POSITIONS; p++) for (let k = 0; k < T * W; k++) y[k] = Math.fround(y[k]! + terms[b * TILES + j]![p * T * W + k]!);
    return y;
  });
  return {
    label: 'FP32 terms, 3 blocks x 2 tiles of 40, T = 2, 2 positions per block',
    params: schedule,
    inputs: { in: terms.map((t, i) => ({ meta: meta(Math.floor(i / TILES), i % TILES, 'fp32-terms'), payload: { kind: 'fp32-terms', positions: POSITIONS, terms: t } })) },
    expected: { out: ys.map((y) => ({ kind: 'fp32', y })) },
    selfLoops: loops,
  };
}


/** Conformance cases for any accumulator of `numeric` partial sums (what a generated accumulator package runs). */
export function accumulatorConformanceCases(numeric: 'int32' | 'fp32'): ConformanceCase<AccumulatorParams>[] {
  return numeric === 'int32' ? [int32AccumulatorCase({}, 'INT32, 3 blocks x 2 tiles of 40, T = 2')] : [fp32AccumulatorCase()];
}
