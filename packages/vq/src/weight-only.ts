import { assertFinite, assertInt, assertLength, assertRange } from './errors.js';
import type { QuantizedLinear } from './quantized-linear.js';
import { assertQuantizedLinear } from './quantized-linear.js';
import { readPackedIndex } from './packing.js';

/**
 * Weight-only VQ (DESIGN.md 1.1 alternative): activations stay real (float32); weights are the
 * QuantizedLinear's weight codebooks + indices (its tables and activation codebooks are unused).
 * Per token, per (position p, group g), a 1D table of cW partial dot products is built ONLINE:
 *   tbl[w] = float32( sum over e of x[t][p*v + e] * weightCodebooks[p][g][w][e] )
 * (float64 products and sum in ascending e, one rounding to float32), then looked up by each
 * output's weight index. Accumulation is FLOAT32 in ASCENDING position order:
 *   acc[t][n] = float32(acc[t][n] + tbl_p[w(p, n)]) for p = posStart, posStart + 1, ...
 * Float addition is not associative, so bit-identity with the whole-layer reference requires
 * tiles to be applied in ascending, non-overlapping position blocks starting at 0 with acc = 0
 * (output tiling is free).
 *
 * Shapes: x Float32Array [tokens][D]; acc Float32Array [tokens][outEnd - outStart].
 */
export function weightOnlyAccumulateTile(
  q: QuantizedLinear,
  x: Float32Array,
  tokens: number,
  posStart: number,
  posEnd: number,
  outStart: number,
  outEnd: number,
  acc: Float32Array,
): void {
  assertQuantizedLinear(q);
  assertInt('tokens', tokens, 1);
  const { v, cW, groupSize: G } = q.cfg;
  const D = q.inFeatures;
  const P = q.positions;
  assertRange('position', posStart, posEnd, P);
  assertRange('output', outStart, outEnd, q.outFeatures);
  assertLength('x', x, tokens * D, `[tokens=${tokens}][D=${D}]`);
  const width = outEnd - outStart;
  assertLength('acc', acc, tokens * width, `[tokens=${tokens}][outEnd-outStart=${width}]`);
  const bits = q.weightIndexBits;
  const mask = (1 << bits) - 1;
  const idx = q.weightIndices;
  const rowBytes = q.weightIndexRowBytes;
  const cb = q.weightCodebooks;
  const tbl = new Float32Array(cW);
  for (let t = 0; t < tokens; t++) {
    const accBase = t * width - outStart;
    for (let p = posStart; p < posEnd; p++) {
      const xo = t * D + p * v;
      for (let g = Math.floor(outStart / G); g * G < outEnd; g++) {
        const cbo = (p * q.groups + g) * cW * v;
        for (let w = 0; w < cW; w++) {
          let s = 0;
          for (let e = 0; e < v; e++) s += x[xo + e]! * cb[cbo + w * v + e]!;
          tbl[w] = s;
        }
        const n1 = Math.min(outEnd, (g + 1) * G);
        const off = p * rowBytes;
        for (let n = Math.max(outStart, g * G); n < n1; n++) {
          acc[accBase + n] = acc[accBase + n]! + tbl[readPackedIndex(idx, bits, mask, off, n)]!;
        }
      }
    }
  }
}

/** Reference weight-only VQ GEMM: x [T][D] (finite) -> y Float32Array [T][M]. */
export function weightOnlyGemm(q: QuantizedLinear, x: Float32Array, T: number): Float32Array {
  assertInt('tokens', T, 1);
  assertLength('x', x, T * q.inFeatures, `[T=${T}][D=${q.inFeatures}]`);
  assertFinite('x', x, q.inFeatures, 't', 'd');
  const out = new Float32Array(T * q.outFeatures);
  weightOnlyAccumulateTile(q, x, T, 0, q.positions, 0, q.outFeatures, out);
  return out;
}

/** Reference weight-only VQ GEMV (one token): x [D] -> y [M]. */
export function weightOnlyGemv(q: QuantizedLinear, x: Float32Array): Float32Array {
  return weightOnlyGemm(q, x, 1);
}
