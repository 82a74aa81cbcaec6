import { beforeAll, describe, expect, it } from 'vitest';
import { buildActivationOnlyLinear, activationOnlyLinear } from './activation-only.js';
import { fp32Gemm } from './fp32.js';
import { buildLut } from './lut-build.js';
import { lutLinear } from './lut-kernel.js';
import { compareOutputs } from './metrics.js';
import { quantizeLinear } from './quantize-linear.js';
import type { QuantizedLinear } from './quantized-linear.js';
import { Rng } from './rng.js';
import { quantizeRtnInt8Weights, rtnInt8Gemm } from './rtn-int8.js';
import { syntheticActivationsWithInfo, syntheticWeights } from './synthetic.js';
import { weightOnlyGemm } from './weight-only.js';

/**
 * Layer-level accuracy on synthetic LLM-like data: W [512][256] Gaussian (std 1/16), activations
 * N(0, 1) with 4 outlier channels 32-95x larger (or none); 512 calibration tokens and 32
 * independent evaluation tokens; paper configuration (v = 2, cA = 64, cW = 16, G = 512, INT8
 * tables, Chebyshev search). Measured SQNR against FP32 (seeds fixed: reproducible figures):
 *
 *   variant                        with outliers   without outliers
 *   RTN INT8 (W8A8)                    30.20 dB        39.90 dB
 *   activation-only VQ (cA = 64)       31.28 dB        14.25 dB
 *   weight-only VQ (cW = 16)           10.16 dB        10.03 dB
 *   co-quantization, INT8 tables        9.89 dB         8.74 dB
 *   co-quantization, INT4 tables        6.78 dB         5.68 dB
 *
 * Reading: 4-bit indices over 2-element sub-vectors are 2 bits per weight, and a 16-centroid 2D
 * quantizer of Gaussian data cannot do much better than ~10 dB (Lloyd-Max at 2 bits/dim: 9.3 dB),
 * so weight VQ bounds the co-quantized layer near 10 dB; activation VQ and INT8 tables cost
 * ~0.3-1.3 dB more. RTN INT8 is far more precise per layer but loses ~10 dB to the outlier
 * channels (its per-token scale is set by them), while the VQ variants lose nothing (per-position
 * codebooks isolate the outliers). The paper's model-level claim (co-quant beats RTN INT8 on task
 * accuracy) is NOT reproduced by this layer-level SQNR on Gaussian weights; see README.
 *
 * Bounds: the figures above are one draw of the data (fixed seeds, so they reproduce exactly); the
 * spec asserts properties of the method on this data distribution, so each lower bound is
 * mean - 3 sd of the same measurement over 8 other independent draws (weights, calibration and
 * evaluation tokens, k-means seeds 11..18; measured once on this code, 2026-12), rounded down to
 * 0.1 dB. A bound a plausible draw could miss would be a flaky test; one far below the spread
 * would not notice a real loss. Spread over the 8 draws (mean / sd, dB), and the bound:
 *
 *   variant                 with outliers              without outliers
 *   RTN INT8                30.09 / 0.23  -> 29.3      40.15 / 0.13  -> 39.7
 *   co-quant INT8 tables     9.74 / 0.31  -> 8.8        8.72 / 0.06  -> 8.5
 *   co-quant INT4 tables     6.48 / 1.04  -> 3.3        5.55 / 0.37  -> 4.4
 *   weight-only VQ          10.02 / 0.33  -> 9.0       10.04 / 0.07
 *   activation-only VQ      30.60 / 0.90  -> 27.9      14.22 / 0.11  -> 13.8
 *
 * Orderings asserted below (RTN > co-quant INT8 > INT4, weight-only > co-quant, outliers do not
 * hurt co-quant) held in every one of the 8 draws; the upper bound 11 dB on co-quant is the
 * weight-only VQ's mean + 3 sd (10.02 + 0.98), the quantizer co-quantization cannot beat.
 */
const M = 512;
const D = 256;
const T_CALIB = 512;
const T_EVAL = 32;

interface Measured {
  rtn: number;
  coquant: number;
  coquantInt4: number;
  weightOnly: number;
  activationOnly: number;
}

function measure(outlierChannels: number): Measured {
  const W = syntheticWeights(M, D, new Rng(1));
  // Calibration and evaluation tokens are independent draws; the outlier channels are the same
  // (they are chosen by the options' outlierSeed, a property of the "model").
  const calib = syntheticActivationsWithInfo(T_CALIB, D, new Rng(2), { outlierChannels }).x;
  const evalX = syntheticActivationsWithInfo(T_EVAL, D, new Rng(3), { outlierChannels }).x;
  const ref = fp32Gemm(W, M, D, evalX, T_EVAL);
  const q = quantizeLinear(W, M, D, calib, T_CALIB, {});
  const cfg4 = { ...q.cfg, lutBits: 4 as const };
  const q4: QuantizedLinear = { ...q, cfg: cfg4, ...buildLut(q.actCodebooks, q.weightCodebooks, q.positions, q.groups, cfg4) };
  const sq = (y: Float32Array) => compareOutputs(ref, y).sqnrDb;
  return {
    rtn: sq(rtnInt8Gemm(quantizeRtnInt8Weights(W, M, D), evalX, T_EVAL)),
    coquant: sq(lutLinear(q, evalX, T_EVAL)),
    coquantInt4: sq(lutLinear(q4, evalX, T_EVAL)),
    weightOnly: sq(weightOnlyGemm(q, evalX, T_EVAL)),
    activationOnly: sq(activationOnlyLinear(buildActivationOnlyLinear(W, M, D, q.actCodebooks, q.cfg), evalX, T_EVAL)),
  };
}

describe('accuracy on synthetic data with outlier channels (SQNR vs FP32)', () => {
  let withOutliers: Measured;
  let without: Measured;
  beforeAll(() => {
    withOutliers = measure(4);
    without = measure(0);
  });

  it('FP32 is exact against itself; the ordering is FP32 > RTN INT8 > co-quant INT8 > co-quant INT4', () => {
    const W = syntheticWeights(8, 8, new Rng(1));
    const x = syntheticActivationsWithInfo(2, 8, new Rng(2)).x;
    expect(compareOutputs(fp32Gemm(W, 8, 8, x, 2), fp32Gemm(W, 8, 8, x, 2)).sqnrDb).toBe(Infinity);
    expect(withOutliers.rtn).toBeGreaterThan(withOutliers.coquant + 15);
    expect(withOutliers.coquant).toBeGreaterThan(withOutliers.coquantInt4);
    expect(without.coquant).toBeGreaterThan(without.coquantInt4);
  });

  it('RTN INT8: 30.2 dB with outliers (> 29.3), 39.9 dB without (> 39.7): outliers cost it > 9 dB', () => {
    expect(withOutliers.rtn).toBeGreaterThan(29.3);
    expect(without.rtn).toBeGreaterThan(39.7);
    expect(without.rtn - withOutliers.rtn).toBeGreaterThan(9);
  });

  it('co-quantization INT8 tables: 9.9 dB with outliers (> 8.8), 8.7 dB without (> 8.5): outliers do not hurt it', () => {
    expect(withOutliers.coquant).toBeGreaterThan(8.8);
    expect(withOutliers.coquant).toBeLessThan(11); // bounded by the 2-bit/weight VQ
    expect(without.coquant).toBeGreaterThan(8.5);
    expect(withOutliers.coquant).toBeGreaterThanOrEqual(without.coquant);
  });

  it('co-quantization INT4 tables: 6.8 dB with outliers (> 3.3), 5.7 dB without (> 4.4)', () => {
    expect(withOutliers.coquantInt4).toBeGreaterThan(3.3);
    expect(without.coquantInt4).toBeGreaterThan(4.4);
  });

  it('weight-only VQ 10.2 dB (> 9.0) bounds co-quant from above; activation-only 31.3 dB (> 27.9) / 14.3 dB (> 13.8)', () => {
    expect(withOutliers.weightOnly).toBeGreaterThan(9.0);
    expect(withOutliers.weightOnly).toBeGreaterThan(withOutliers.coquant);
    expect(without.weightOnly).toBeGreaterThan(without.coquant);
    expect(withOutliers.activationOnly).toBeGreaterThan(27.9);
    expect(without.activationOnly).toBeGreaterThan(13.8);
  });
});
