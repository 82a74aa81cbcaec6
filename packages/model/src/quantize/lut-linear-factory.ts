import { lutLinear, type QuantizedLinear } from '@lut-llm/vq';
import { denseLinearFactory, type LinearFactory, type LinearOp } from '../linear.js';
import type { QuantizedQwen3Model } from './quantize-model.js';

/** A LinearOp running packages/vq's reference co-quantized LUT linear (encode activations, look up, dequantize). */
export function lutLinearOp(q: QuantizedLinear): LinearOp {
  return { inFeatures: q.inFeatures, outFeatures: q.outFeatures, apply: (x, tokens) => lutLinear(q, x, tokens) };
}

/**
 * A LinearFactory for Qwen3Reference that swaps every linear op for its co-quantized version from
 * `model` (the LM head stays FP32 dense when the model has none), so the logits of the LUT model
 * can be compared with the FP32 reference. Throws if the model was built for another config.
 */
export function quantizedLinearFactory(model: QuantizedQwen3Model): LinearFactory {
  return (spec) => {
    if (spec.layer === null) return model.lmHead === null ? denseLinearFactory(spec) : lutLinearOp(model.lmHead);
    const layer = model.layers[spec.layer];
    if (layer === undefined) throw new RangeError(`quantized model has no layer ${spec.layer} (it has ${model.layers.length})`);
    if (spec.name === 'lm_head') throw new RangeError('lm_head inside a decoder layer');
    return lutLinearOp(layer.ops[spec.name]);
  };
}
