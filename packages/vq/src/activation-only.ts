import type { VqConfig } from './config.js';
import { resolveVqConfig } from './config.js';
import { encodeActivations } from './centroid-search.js';
import { VqInputError, assertFinite, assertInt, assertLength, assertRange } from './errors.js';

/**
 * Activation-only VQ (DESIGN.md 1.1 alternative): weights stay real (float32), activations are
 * encoded to centroid indices (same codebooks and search as co-quantization). For every
 * (position p, output n) a 1D table of cA entries is PRECOMPUTED offline:
 *   table[p][a][n] = float32( sum over e of actCodebooks[p][a][e] * W[n][p*v + e] )
 * (float64 products and sum in ascending e, one rounding). Precision: FLOAT32 entries, FLOAT32
 * accumulation in ASCENDING position order (acc = float32(acc + entry)); tiles must cover
 * positions in ascending blocks from 0 for bit-identity (output tiling is free).
 *
 * Table size: P * cA * M float32 = (D / v) * cA * M * 4 bytes, i.e. cA / v = 32x the FP32 weights
 * themselves and G / cW = 32x the entries of the co-quantized 2D tables (cA * cW per (p, group) vs
 * cA per (p, output)): this is why the variant is memory bound (a 2048 x 6144 layer needs 1.6 GB).
 *
 * Layout: table Float32Array [P][cA][M]: for a position and an activation index, the M outputs'
 * entries are contiguous (the row an output-parallel look-up unit reads for one token).
 */
export interface ActivationOnlyLinear {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly positions: number;
  readonly cfg: VqConfig;
  /** [P][cA][v], as QuantizedLinear.actCodebooks. */
  readonly actCodebooks: Float32Array;
  /** [P][cA][M] float32 (see above). */
  readonly table: Float32Array;
}

/** Largest table we agree to allocate (entries): 2^28 float32 = 1 GiB. */
export const MAX_ACTIVATION_ONLY_TABLE_ENTRIES = 2 ** 28;

/** Precomputes the activation-only tables from FP32 weights W [M][D] and activation codebooks [P][cA][v]. */
export function buildActivationOnlyLinear(
  weight: Float32Array,
  M: number,
  D: number,
  actCodebooks: Float32Array,
  cfgIn: Partial<VqConfig> = {},
): ActivationOnlyLinear {
  const cfg = resolveVqConfig(cfgIn);
  assertInt('out-features M', M, 1);
  assertInt('in-features D', D, 1);
  const { v, cA } = cfg;
  if (D % v !== 0) throw new VqInputError(`in-features D = ${D} is not divisible by v = ${v}`);
  const P = D / v;
  assertLength('weight', weight, M * D, `[M=${M}][D=${D}]`);
  assertLength('actCodebooks', actCodebooks, P * cA * v, `[P=${P}][cA=${cA}][v=${v}]`);
  assertFinite('weight', weight, D, 'n', 'd');
  const entries = P * cA * M;
  if (entries > MAX_ACTIVATION_ONLY_TABLE_ENTRIES) {
    throw new VqInputError(
      `activation-only tables would need ${entries} float32 entries (${(entries * 4) / 2 ** 30} GiB) for M=${M}, D=${D}, cA=${cA}; limit is ${MAX_ACTIVATION_ONLY_TABLE_ENTRIES}`,
    );
  }
  const table = new Float32Array(entries);
  for (let p = 0; p < P; p++) {
    for (let a = 0; a < cA; a++) {
      const co = (p * cA + a) * v;
      const to = (p * cA + a) * M;
      for (let n = 0; n < M; n++) {
        let s = 0;
        for (let e = 0; e < v; e++) s += actCodebooks[co + e]! * weight[n * D + p * v + e]!;
        table[to + n] = s;
      }
    }
  }
  return { inFeatures: D, outFeatures: M, positions: P, cfg, actCodebooks, table };
}

/**
 * acc[t][n - outStart] = float32(acc + table[p][actIdx[t][p]][n]) for p ascending in
 * [posStart, posEnd), n in [outStart, outEnd). actIdx [tokens][P], acc [tokens][outEnd - outStart].
 */
export function activationOnlyAccumulateTile(
  aq: ActivationOnlyLinear,
  actIdx: Uint8Array,
  tokens: number,
  posStart: number,
  posEnd: number,
  outStart: number,
  outEnd: number,
  acc: Float32Array,
): void {
  assertInt('tokens', tokens, 1);
  const { P, M, cA } = { P: aq.positions, M: aq.outFeatures, cA: aq.cfg.cA };
  assertLength('ActivationOnlyLinear.table', aq.table, P * cA * M, `[P=${P}][cA=${cA}][M=${M}]`);
  assertRange('position', posStart, posEnd, P);
  assertRange('output', outStart, outEnd, M);
  assertLength('actIdx', actIdx, tokens * P, `[tokens=${tokens}][P=${P}]`);
  const width = outEnd - outStart;
  assertLength('acc', acc, tokens * width, `[tokens=${tokens}][outEnd-outStart=${width}]`);
  const table = aq.table;
  for (let t = 0; t < tokens; t++) {
    const accBase = t * width - outStart;
    for (let p = posStart; p < posEnd; p++) {
      const a = actIdx[t * P + p]!;
      if (a >= cA) throw new VqInputError(`actIdx[t=${t}][p=${p}] = ${a} is out of range for cA = ${cA}`);
      const to = (p * cA + a) * M;
      for (let n = outStart; n < outEnd; n++) acc[accBase + n] = acc[accBase + n]! + table[to + n]!;
    }
  }
}

/** Reference activation-only GEMM: actIdx [T][P] -> y Float32Array [T][M]. */
export function activationOnlyGemm(aq: ActivationOnlyLinear, actIdx: Uint8Array, T: number): Float32Array {
  const out = new Float32Array(T * aq.outFeatures);
  activationOnlyAccumulateTile(aq, actIdx, T, 0, aq.positions, 0, aq.outFeatures, out);
  return out;
}

/** Reference activation-only GEMV (one token): actIdx [P] -> y [M]. */
export function activationOnlyGemv(aq: ActivationOnlyLinear, actIdx: Uint8Array): Float32Array {
  return activationOnlyGemm(aq, actIdx, 1);
}

/** Encodes x [T][D] with the layer's activation codebooks, then runs activationOnlyGemm. */
export function activationOnlyLinear(aq: ActivationOnlyLinear, x: Float32Array, T: number): Float32Array {
  assertLength('x', x, T * aq.inFeatures, `[T=${T}][D=${aq.inFeatures}]`);
  return activationOnlyGemm(aq, encodeActivations(x, T, aq.actCodebooks, aq.cfg), T);
}
