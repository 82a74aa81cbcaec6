import type { ActivationOnlyLinear, QuantizedLinear } from '@lut-llm/vq';

/**
 * A layer restricted to positions [posStart, posEnd): what the weight stream of one position
 * block carries. Zero-copy (subarrays of the layer's arrays, which are position-major), and a
 * valid layer in its own right (vq's kernels accept it), so stage kernels run vq's tile kernels on
 * a block exactly as on a whole layer. Table scales and zero points are the whole layer's (they
 * are shared by all positions); only the dequantizer needs P, and it gets the whole layer.
 */
export function quantizedLinearBlock(q: QuantizedLinear, posStart: number, posEnd: number): QuantizedLinear {
  const { v, cA, cW } = q.cfg;
  const np = posEnd - posStart;
  const g = q.groups;
  return {
    inFeatures: np * v,
    outFeatures: q.outFeatures,
    positions: np,
    groups: g,
    cfg: q.cfg,
    actCodebooks: q.actCodebooks.subarray(posStart * cA * v, posEnd * cA * v),
    weightCodebooks: q.weightCodebooks.subarray(posStart * g * cW * v, posEnd * g * cW * v),
    weightIndexBits: q.weightIndexBits,
    weightIndexRowBytes: q.weightIndexRowBytes,
    weightIndices: q.weightIndices.subarray(posStart * q.weightIndexRowBytes, posEnd * q.weightIndexRowBytes),
    lut: q.lut.subarray(posStart * g * cA * cW, posEnd * g * cA * cW),
    lutScale: q.lutScale,
    lutZeroPoint: q.lutZeroPoint,
  };
}

/** The activation-only layer restricted to positions [posStart, posEnd) (zero-copy). */
export function activationOnlyBlock(aq: ActivationOnlyLinear, posStart: number, posEnd: number): ActivationOnlyLinear {
  const { v, cA } = aq.cfg;
  const M = aq.outFeatures;
  return {
    inFeatures: (posEnd - posStart) * v,
    outFeatures: M,
    positions: posEnd - posStart,
    cfg: aq.cfg,
    actCodebooks: aq.actCodebooks.subarray(posStart * cA * v, posEnd * cA * v),
    table: aq.table.subarray(posStart * cA * M, posEnd * cA * M),
  };
}
