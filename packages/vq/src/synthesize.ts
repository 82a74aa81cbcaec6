import type { VqConfig } from './config.js';
import { resolveVqConfig } from './config.js';
import { VqInputError } from './errors.js';
import { assembleQuantizedLinear } from './lut-build.js';
import { packIndices } from './packing.js';
import type { QuantizedLinear } from './quantized-linear.js';
import { linearShape } from './quantized-linear.js';
import type { Rng } from './rng.js';

/** Options of `synthesizeQuantizedLinear`. */
export interface SynthesizeOptions {
  /**
   * Std of activation centroid elements. Default 1: LLM activations after RMSNorm have roughly
   * unit scale per channel (outlier channels aside).
   */
  readonly actStd?: number;
  /**
   * Std of weight centroid elements. Default 1/sqrt(D): typical of LLM projection weights
   * (keeps the output variance near the input variance).
   */
  readonly weightStd?: number;
}

/**
 * Builds a VALID QuantizedLinear quickly, with no k-means: Gaussian codebooks (see options),
 * uniformly random weight indices in [0, cW), then the real quantized 2D tables (buildLut), so
 * all invariants hold and the kernels compute meaningful numbers. For timing studies and
 * full-size models (Qwen3-1.7B shapes build in well under a second per matrix). Deterministic for
 * the `rng` state.
 */
export function synthesizeQuantizedLinear(
  M: number,
  D: number,
  cfgIn: Partial<VqConfig>,
  rng: Rng,
  opts: SynthesizeOptions = {},
): QuantizedLinear {
  const cfg = resolveVqConfig(cfgIn);
  const { P, groups, bits, rowBytes } = linearShape(M, D, cfg);
  const { v, cA, cW } = cfg;
  const actStd = opts.actStd ?? 1;
  const weightStd = opts.weightStd ?? 1 / Math.sqrt(D);
  if (!(actStd > 0 && Number.isFinite(actStd))) throw new VqInputError(`actStd must be a positive finite number, got ${actStd}`);
  if (!(weightStd > 0 && Number.isFinite(weightStd))) throw new VqInputError(`weightStd must be a positive finite number, got ${weightStd}`);

  const actCodebooks = new Float32Array(P * cA * v);
  for (let i = 0; i < actCodebooks.length; i++) actCodebooks[i] = rng.normal() * actStd;
  const weightCodebooks = new Float32Array(P * groups * cW * v);
  for (let i = 0; i < weightCodebooks.length; i++) weightCodebooks[i] = rng.normal() * weightStd;

  const weightIndices = new Uint8Array(P * rowBytes);
  if (cW === 1 << bits && (M * bits) % 8 === 0) {
    // Every bit pattern is a valid index and rows are whole bytes: random bytes, 4 per draw.
    let i = 0;
    const n = weightIndices.length;
    for (; i + 4 <= n; i += 4) {
      const u = rng.nextU32();
      weightIndices[i] = u;
      weightIndices[i + 1] = u >>> 8;
      weightIndices[i + 2] = u >>> 16;
      weightIndices[i + 3] = u >>> 24;
    }
    for (; i < n; i++) weightIndices[i] = rng.nextU32();
  } else {
    const row = new Uint8Array(M);
    for (let p = 0; p < P; p++) {
      for (let n = 0; n < M; n++) row[n] = rng.int(cW);
      packIndices(row, bits, weightIndices, p * rowBytes);
    }
  }
  return assembleQuantizedLinear(M, D, cfg, { P, groups, bits, rowBytes }, actCodebooks, weightCodebooks, weightIndices);
}
