import type { VqConfig } from './config.js';
import { lutRange, type QuantizedLinear } from './quantized-linear.js';
import { clamp, roundHalfEven } from './rounding.js';

/** Quantized 2D tables of a layer (see QuantizedLinear for layouts). */
export interface LutTables {
  readonly lut: Int8Array;
  readonly lutScale: Float32Array;
  readonly lutZeroPoint: Int32Array;
}

/**
 * Builds the 2D tables T_p,g[a][w] = <actCodebooks[p][a], weightCodebooks[p][g][w]> (float64 dot
 * product of the float32 centroids, elements in ascending order) and quantizes them per group g,
 * over all positions, asymmetrically to cfg.lutBits:
 *   tmin/tmax = min/max of the group's entries,
 *   scale     = float32((tmax - tmin) / (qmax - qmin))   (if tmax == tmin: float32(|tmin| / (qmax - qmin)),
 *               or float32(1 / (qmax - qmin)) when tmin == 0, so a constant table stays exact),
 *   zeroPoint = qmin - roundHalfEven(tmin / scale)       (an integer, may lie outside [qmin, qmax]),
 *   q         = clamp(roundHalfEven(t / scale) + zeroPoint, qmin, qmax).
 * So tmin maps to qmin and tmax to qmax (up to float rounding; the clamp saturates), and every
 * entry satisfies |scale * (q - zeroPoint) - t| <= scale / 2 (+ float rounding of t / scale).
 * Rounding is round-half-to-even everywhere; the clamp saturates.
 */
export function buildLut(
  actCodebooks: Float32Array,
  weightCodebooks: Float32Array,
  P: number,
  groups: number,
  cfg: VqConfig,
): LutTables {
  const { v, cA, cW } = cfg;
  const { qmin, qmax } = lutRange(cfg.lutBits);
  const lut = new Int8Array(P * groups * cA * cW);
  const lutScale = new Float32Array(groups);
  const lutZeroPoint = new Int32Array(groups);
  const entries = new Float64Array(cA * cW);
  const levels = qmax - qmin;
  for (let g = 0; g < groups; g++) {
    let tmin = Infinity;
    let tmax = -Infinity;
    for (let p = 0; p < P; p++) {
      tableEntries(actCodebooks, weightCodebooks, p, g, groups, v, cA, cW, entries);
      for (let i = 0; i < entries.length; i++) {
        const t = entries[i]!;
        if (t < tmin) tmin = t;
        if (t > tmax) tmax = t;
      }
    }
    let scale = Math.fround((tmax - tmin) / levels);
    if (!(scale > 0)) scale = Math.fround((tmin !== 0 ? Math.abs(tmin) : 1) / levels);
    const zp = qmin - roundHalfEven(tmin / scale);
    lutScale[g] = scale;
    lutZeroPoint[g] = zp;
    for (let p = 0; p < P; p++) {
      tableEntries(actCodebooks, weightCodebooks, p, g, groups, v, cA, cW, entries);
      const base = (p * groups + g) * cA * cW;
      for (let i = 0; i < entries.length; i++) lut[base + i] = clamp(roundHalfEven(entries[i]! / scale) + zp, qmin, qmax);
    }
  }
  return { lut, lutScale, lutZeroPoint };
}

/**
 * Real (unquantized) entries of table (p, g): out[a*cW + w] = <act[p][a], weight[p][g][w]> in
 * float64, elements summed in ascending order. Exported for slow references and table studies.
 */
export function tableEntries(
  actCodebooks: Float32Array,
  weightCodebooks: Float32Array,
  p: number,
  g: number,
  groups: number,
  v: number,
  cA: number,
  cW: number,
  out: Float64Array,
): Float64Array {
  const aBase = p * cA * v;
  const wBase = (p * groups + g) * cW * v;
  for (let a = 0; a < cA; a++) {
    for (let w = 0; w < cW; w++) {
      let s = 0;
      for (let e = 0; e < v; e++) s += actCodebooks[aBase + a * v + e]! * weightCodebooks[wBase + w * v + e]!;
      out[a * cW + w] = s;
    }
  }
  return out;
}

/**
 * A complete QuantizedLinear from its codebooks and packed indices: builds the 2D tables (one
 * scale and zero point per group) and assembles the layer. Shared by every way a layer is made
 * (k-means on real weights, random synthesis), so all produce the same layout.
 */
export function assembleQuantizedLinear(
  M: number,
  D: number,
  cfg: VqConfig,
  shape: { readonly P: number; readonly groups: number; readonly bits: number; readonly rowBytes: number },
  actCodebooks: Float32Array,
  weightCodebooks: Float32Array,
  weightIndices: Uint8Array,
): QuantizedLinear {
  const { lut, lutScale, lutZeroPoint } = buildLut(actCodebooks, weightCodebooks, shape.P, shape.groups, cfg);
  return {
    inFeatures: D,
    outFeatures: M,
    positions: shape.P,
    groups: shape.groups,
    cfg,
    actCodebooks,
    weightCodebooks,
    weightIndexBits: shape.bits,
    weightIndexRowBytes: shape.rowBytes,
    weightIndices,
    lut,
    lutScale,
    lutZeroPoint,
  };
}
