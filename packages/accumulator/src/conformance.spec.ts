import { checkStageConformance, describeStageConformance, type ConformanceCase } from '@lut-llm/contracts/conformance';
import { Rng } from '@lut-llm/vq';
import { expect, it } from 'vitest';
import type { AccumulatorParams } from './params.js';
import { fp32AccumulatorPlugin, int32AccumulatorPlugin } from './plugins.js';

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

function int32Case(params: Partial<AccumulatorParams>, label: string): ConformanceCase<AccumulatorParams> {
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

function fp32Case(): ConformanceCase<AccumulatorParams> {
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

const int32Default = int32Case({}, 'INT32, 3 blocks x 2 tiles of 40, T = 2');
const int32SlowBuffer = int32Case({ bufferReadLatencyCycles: 10 }, 'INT32 with a 10-cycle buffer read (the self-loop stalls)');
describeStageConformance(int32AccumulatorPlugin, [int32Default, int32SlowBuffer]);
describeStageConformance(fp32AccumulatorPlugin, [fp32Case()]);

// Hand-derived (conformance formula with the self-loop): II = T x ceil(40 / 512) = 2;
// L = buffer read 3 + ceil(log2(1 + 1)) x 1 = 4. Firing i (block i / 2, tile i % 2) reads the
// buffer token of firing i - 2, ready at s_{i-2} + L:
//   s = 0, 2, max(4, 4) = 4, max(6, 6) = 6, 8, 10; the last block's tiles are ready at 12 and 14,
//   the sink completes at 15.
// Buffer read 10 (L = 11): s = 0, 2, max(4, 11) = 11, max(13, 13) = 13, max(15, 22) = 22,
//   max(24, 24) = 24; outputs ready at 33 and 35, the sink completes at 36.
it('accumulator alone: 15 cycles, 36 with a 10-cycle buffer read (hand-derived)', () => {
  expect(checkStageConformance(int32AccumulatorPlugin, int32Default).cycles).toBe(15);
  expect(checkStageConformance(int32AccumulatorPlugin, int32SlowBuffer).cycles).toBe(36);
});
