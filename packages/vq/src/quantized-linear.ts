import type { VqConfig } from './config.js';
import { indexBitsFor } from './config.js';
import { VqInputError, assertInt, assertLength } from './errors.js';
import { packedByteLength, readPackedIndex } from './packing.js';

/**
 * One co-quantized linear layer y = W x (W is [M out][D in]), as LUT-LLM stores it
 * (DESIGN.md 1.1). Notation: D = inFeatures, M = outFeatures, v = cfg.v, P = D / v positions,
 * G = cfg.groupSize, groups = ceil(M / G); output n belongs to group floor(n / G).
 *
 * Layouts (all row-major, first index outermost):
 * - `actCodebooks`     Float32Array [P][cA][v]: activation centroids of each position.
 * - `weightCodebooks`  Float32Array [P][groups][cW][v]: weight centroids of each (position, group).
 * - `weightIndices`    Uint8Array [P][weightIndexRowBytes]: row p holds the M indices of position
 *                      p (output n's sub-vector W[n][p*v .. p*v+v)), bit-packed LSB-first with
 *                      `weightIndexBits` bits each (see packing.ts; for c_w = 16, output 2j is the
 *                      low nibble and 2j+1 the high nibble of byte j). Position-major: exactly the
 *                      stream a LUT PSum matcher for position p reads. Each row starts on a byte.
 * - `lut`              Int8Array [P][groups][cA][cW]: quantized 2D tables,
 *                      lut[p][g][a][w] = q(<actCodebooks[p][a], weightCodebooks[p][g][w]>).
 *                      INT8 tables hold values in [-128, 127]; INT4 tables (cfg.lutBits = 4) hold
 *                      values in [-8, 7], still one value per Int8 element (unpacked).
 * - `lutScale`         Float32Array [groups], `lutZeroPoint` Int32Array [groups]: asymmetric
 *                      quantisation of ALL tables of a group (every position shares them, so integer
 *                      partial sums over positions can be added before dequantisation):
 *                      real(T) ~= scale[g] * (q - zeroPoint[g]).
 *
 * Output: acc[n] = sum over p of lut[p][g(n)][a_p][w_{p,n}] (INT32, order-free), then
 * y[n] = acc[n]*scale[g] - zeroPoint[g]*scale[g]*P, evaluated as (acc[n] - zeroPoint[g]*P) * scale[g]
 * in float64 (the integer subtraction is exact) and stored as float32.
 */
export interface QuantizedLinear {
  /** D: input features. */
  readonly inFeatures: number;
  /** M: output features. */
  readonly outFeatures: number;
  /** P = D / v: positions (sub-vectors per input). */
  readonly positions: number;
  /** ceil(M / G): output groups. */
  readonly groups: number;
  readonly cfg: VqConfig;
  readonly actCodebooks: Float32Array;
  readonly weightCodebooks: Float32Array;
  /** Bits per packed weight index: ceil(log2 cW) (4 for cW = 16). */
  readonly weightIndexBits: number;
  /** Bytes per position row of `weightIndices`: ceil(M * weightIndexBits / 8). */
  readonly weightIndexRowBytes: number;
  readonly weightIndices: Uint8Array;
  readonly lut: Int8Array;
  readonly lutScale: Float32Array;
  readonly lutZeroPoint: Int32Array;
}

/** Integer range of a table entry: [-128, 127] for INT8, [-8, 7] for INT4. */
export function lutRange(lutBits: 8 | 4): { readonly qmin: number; readonly qmax: number } {
  return lutBits === 8 ? { qmin: -128, qmax: 127 } : { qmin: -8, qmax: 7 };
}

/** Derived shape numbers of a layer; throws on M, D, v mismatch. */
export function linearShape(M: number, D: number, cfg: VqConfig): { P: number; groups: number; bits: number; rowBytes: number } {
  assertInt('out-features M', M, 1);
  assertInt('in-features D', D, 1);
  if (D % cfg.v !== 0) throw new VqInputError(`in-features D = ${D} is not divisible by v = ${cfg.v}`);
  const P = D / cfg.v;
  const groups = Math.ceil(M / cfg.groupSize);
  const bits = indexBitsFor(cfg.cW);
  return { P, groups, bits, rowBytes: packedByteLength(M, bits) };
}

/**
 * Checks that every array of `q` has the length its shape implies (cheap; called by every kernel
 * entry point). Throws `VqInputError` naming the offending field.
 */
export function assertQuantizedLinear(q: QuantizedLinear): void {
  const { v, cA, cW } = q.cfg;
  const { P, groups, bits, rowBytes } = linearShape(q.outFeatures, q.inFeatures, q.cfg);
  if (q.positions !== P) throw new VqInputError(`QuantizedLinear.positions = ${q.positions}, expected D / v = ${P}`);
  if (q.groups !== groups) throw new VqInputError(`QuantizedLinear.groups = ${q.groups}, expected ceil(M / G) = ${groups}`);
  if (q.weightIndexBits !== bits) throw new VqInputError(`QuantizedLinear.weightIndexBits = ${q.weightIndexBits}, expected ${bits}`);
  if (q.weightIndexRowBytes !== rowBytes) {
    throw new VqInputError(`QuantizedLinear.weightIndexRowBytes = ${q.weightIndexRowBytes}, expected ${rowBytes}`);
  }
  assertLength('QuantizedLinear.actCodebooks', q.actCodebooks, P * cA * v, `[P=${P}][cA=${cA}][v=${v}]`);
  assertLength('QuantizedLinear.weightCodebooks', q.weightCodebooks, P * groups * cW * v, `[P=${P}][groups=${groups}][cW=${cW}][v=${v}]`);
  assertLength('QuantizedLinear.weightIndices', q.weightIndices, P * rowBytes, `[P=${P}][rowBytes=${rowBytes}]`);
  assertLength('QuantizedLinear.lut', q.lut, P * groups * cA * cW, `[P=${P}][groups=${groups}][cA=${cA}][cW=${cW}]`);
  assertLength('QuantizedLinear.lutScale', q.lutScale, groups, `[groups=${groups}]`);
  assertLength('QuantizedLinear.lutZeroPoint', q.lutZeroPoint, groups, `[groups=${groups}]`);
}

/** Weight index of output n at position p (unpacked from `weightIndices`). */
export function weightIndexAt(q: QuantizedLinear, p: number, n: number): number {
  const bits = q.weightIndexBits;
  return readPackedIndex(q.weightIndices, bits, (1 << bits) - 1, p * q.weightIndexRowBytes, n);
}

/** Offset of table (p, g) in `lut`; row a of it starts at + a * cW. */
export function lutTableOffset(q: QuantizedLinear, p: number, g: number): number {
  return (p * q.groups + g) * q.cfg.cA * q.cfg.cW;
}

/**
 * Throws if a stored weight index is >= cW (possible only when cW is not a power of two, or for a
 * layer loaded from outside). The builders guarantee it; the kernels do not re-check it on their
 * hot path, so loaders of external data should call this once.
 */
export function assertWeightIndicesInRange(q: QuantizedLinear): void {
  assertQuantizedLinear(q);
  const cW = q.cfg.cW;
  if (cW === 1 << q.weightIndexBits) return;
  for (let p = 0; p < q.positions; p++) {
    for (let n = 0; n < q.outFeatures; n++) {
      const w = weightIndexAt(q, p, n);
      if (w >= cW) throw new VqInputError(`weightIndices[p=${p}][n=${n}] = ${w} is out of range for cW = ${cW}`);
    }
  }
}
