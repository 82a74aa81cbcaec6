import type { LinearVariant } from '@lut-llm/contracts';
import {
  Rng,
  activationOnlyLinear,
  buildActivationOnlyLinear,
  lutLinear,
  synthesizeQuantizedLinear,
  syntheticActivations,
  syntheticWeights,
  weightOnlyGemm,
  type VqConfig,
} from '@lut-llm/vq';
import { LutLinearError } from './errors.js';
import type { LutLinearConfig, LutLinearData } from './options.js';

/**
 * Synthesizes functional-mode data for a configuration: a valid co-quantized layer (vq's
 * synthesizeQuantizedLinear: Gaussian codebooks, random indices, real INT8 tables), activations
 * with outlier channels (vq's syntheticActivations) and, for the activation-only variant, the 1D
 * tables of Gaussian FP32 weights over the same activation codebooks. Deterministic for `seed`.
 */
export function synthesizeLutLinearData(cfg: Pick<LutLinearConfig, 'variant' | 'shape' | 'numerics' | 'seed'>): LutLinearData {
  const { outFeatures: M, inFeatures: D, tokens: T } = cfg.shape;
  const rng = new Rng(cfg.seed);
  const numerics: Partial<VqConfig> = cfg.numerics;
  const layer = synthesizeQuantizedLinear(M, D, numerics, rng);
  const x = syntheticActivations(T, D, rng);
  if (cfg.variant !== 'activation-only') return { layer, x };
  const w = syntheticWeights(M, D, rng);
  return { layer, activationOnly: buildActivationOnlyLinear(w, M, D, layer.actCodebooks, numerics), x };
}

/** Checks that `data` fits the configuration; throws `LutLinearError` naming the mismatch. */
export function checkLutLinearData(cfg: Pick<LutLinearConfig, 'variant' | 'shape'>, data: LutLinearData): void {
  const { outFeatures: M, inFeatures: D, tokens: T } = cfg.shape;
  const layer = cfg.variant === 'activation-only' ? data.activationOnly : data.layer;
  const what = cfg.variant === 'activation-only' ? 'data.activationOnly' : 'data.layer';
  if (!layer) throw new LutLinearError(`functional '${cfg.variant}' run needs ${what}`);
  if (layer.outFeatures !== M || layer.inFeatures !== D) {
    throw new LutLinearError(`shape mismatch: ${what} is ${layer.outFeatures}x${layer.inFeatures} (MxD) but the run is ${M}x${D}`);
  }
  if (!(data.x instanceof Float32Array) || data.x.length !== T * D) {
    throw new LutLinearError(`shape mismatch: data.x has ${data.x?.length} values, expected T * D = ${T} * ${D} = ${T * D}`);
  }
}

/** vq's reference output of a variant for `data` (y [T][M]): what the emulation must equal bit for bit. */
export function lutLinearReference(variant: LinearVariant, data: LutLinearData, tokens: number): Float32Array {
  switch (variant) {
    case 'co-quant':
      return lutLinear(data.layer!, data.x, tokens);
    case 'weight-only':
      return weightOnlyGemm(data.layer!, data.x, tokens);
    case 'activation-only':
      return activationOnlyLinear(data.activationOnly!, data.x, tokens);
  }
}
