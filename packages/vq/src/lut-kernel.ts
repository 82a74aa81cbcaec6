import { VqInputError, assertInt, assertLength, assertRange } from './errors.js';
import { encodeActivations } from './centroid-search.js';
import type { QuantizedLinear } from './quantized-linear.js';
import { assertQuantizedLinear } from './quantized-linear.js';
import { readPackedIndex } from './packing.js';

/**
 * The integer co-quantization kernel (2D LUT), as reusable tiles. Stage packages (LUT PSum,
 * accumulator, dequantizer) call these so they are bit-identical to the reference by
 * construction. Integer accumulation is exact and order-free, so ANY tiling of positions and
 * outputs gives the same acc, bit for bit, as the whole-layer call.
 *
 * Shapes: actIdx Uint8Array [tokens][P] (row-major, all P positions of each token); acc
 * Int32Array [tokens][outEnd - outStart]; out Float32Array [tokens][outEnd - outStart].
 */

/**
 * acc[t][n - outStart] += sum over p in [posStart, posEnd) of lut[p][g(n)][actIdx[t][p]][w(p, n)]
 * for every token t < tokens and output n in [outStart, outEnd). Adds into `acc` (zero it first
 * for a fresh sum). Throws on bad ranges, shapes, or activation indices >= cA.
 */
export function lutAccumulateTile(
  q: QuantizedLinear,
  actIdx: Uint8Array,
  tokens: number,
  posStart: number,
  posEnd: number,
  outStart: number,
  outEnd: number,
  acc: Int32Array,
): void {
  assertQuantizedLinear(q);
  assertInt('tokens', tokens, 1);
  const P = q.positions;
  assertRange('position', posStart, posEnd, P);
  assertRange('output', outStart, outEnd, q.outFeatures);
  assertLength('actIdx', actIdx, tokens * P, `[tokens=${tokens}][P=${P}]`);
  const width = outEnd - outStart;
  assertLength('acc', acc, tokens * width, `[tokens=${tokens}][outEnd-outStart=${width}]`);
  assertActIndices(actIdx, tokens, P, posStart, posEnd, q.cfg.cA);
  const G = q.cfg.groupSize;
  const words = q.weightIndexBits === 4 ? wordView(q) : undefined;
  if (words !== undefined && G % 8 === 0) {
    // Whole 32-bit words (8 outputs) in the middle, single outputs at unaligned tile edges.
    const s8 = Math.min(outEnd, (outStart + 7) & ~7);
    const e8 = Math.max(s8, outEnd & ~7);
    accumulateGenericRange(q, actIdx, tokens, posStart, posEnd, outStart, s8, outStart, width, acc);
    if (s8 < e8) accumulateWords(q, words, actIdx, tokens, posStart, posEnd, s8, e8, outStart, width, acc);
    accumulateGenericRange(q, actIdx, tokens, posStart, posEnd, e8, outEnd, outStart, width, acc);
    return;
  }
  for (let g = Math.floor(outStart / G); g * G < outEnd; g++) {
    const s = Math.max(outStart, g * G);
    const e = Math.min(outEnd, (g + 1) * G);
    if (words !== undefined) {
      // Group edges not word aligned (G % 8 != 0): the word path inside each group.
      const s8 = Math.min(e, (s + 7) & ~7);
      const e8 = Math.max(s8, e & ~7);
      accumulateGeneric(q, actIdx, tokens, posStart, posEnd, g, s, s8, outStart, width, acc);
      if (s8 < e8) accumulateWords(q, words, actIdx, tokens, posStart, posEnd, s8, e8, outStart, width, acc);
      accumulateGeneric(q, actIdx, tokens, posStart, posEnd, g, e8, e, outStart, width, acc);
    } else if (q.weightIndexBits === 4) {
      accumulateNibbles(q, actIdx, tokens, posStart, posEnd, g, s, e, outStart, width, acc);
    } else {
      accumulateGeneric(q, actIdx, tokens, posStart, posEnd, g, s, e, outStart, width, acc);
    }
  }
}

/** Throws if any activation index in the position range is >= cA (it would read another row). */
function assertActIndices(actIdx: Uint8Array, tokens: number, P: number, p0: number, p1: number, cA: number): void {
  for (let t = 0; t < tokens; t++) {
    for (let p = p0; p < p1; p++) {
      const a = actIdx[t * P + p]!;
      if (a >= cA) throw new VqInputError(`actIdx[t=${t}][p=${p}] = ${a} is out of range for cA = ${cA}`);
    }
  }
}

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/**
 * The weight indices as little-endian 32-bit words (8 four-bit indices each, output 8i+k in bits
 * 4k..4k+3), when the packed rows are word aligned; undefined otherwise.
 */
function wordView(q: QuantizedLinear): Uint32Array | undefined {
  const b = q.weightIndices;
  if (!LITTLE_ENDIAN || b.byteOffset % 4 !== 0 || q.weightIndexRowBytes % 4 !== 0) return undefined;
  let view = wordViews.get(b);
  if (view === undefined) {
    view = new Uint32Array(b.buffer, b.byteOffset, b.length >> 2);
    wordViews.set(b, view);
  }
  return view;
}

/** Cached word views, keyed by the index array (small tiles are called many times per layer). */
const wordViews = new WeakMap<Uint8Array, Uint32Array>();

/** "Register" copy of 4 table rows; module scratch (kernels are synchronous, never re-entered). */
const REGS = new Int32Array(64);

/**
 * The hot path for 4-bit indices (cW <= 16), outputs [s, e) with s, e and every group boundary
 * inside them multiples of 8. Mirrors the matcher: per (token, position, group) the table row
 * T_p,g[a][0..15] is copied once into "registers" (a 16-entry slice of an Int32Array), then every
 * output picks its entry with its 4-bit index (8 indices per 32-bit word). Loop order: blocks of 4
 * positions (outermost, so the 4 index rows stream sequentially and are reused from L1 by every
 * token of a GEMM), tokens, groups, output words; each accumulator is read and written once per
 * four look-ups.
 */
function accumulateWords(
  q: QuantizedLinear,
  words: Uint32Array,
  actIdx: Uint8Array,
  tokens: number,
  p0: number,
  p1: number,
  s: number,
  e: number,
  outStart: number,
  width: number,
  acc: Int32Array,
): void {
  const { cA, cW, groupSize: G } = q.cfg;
  const P = q.positions;
  const groups = q.groups;
  const lut = q.lut;
  const rw = q.weightIndexRowBytes >> 2; // words per position row
  const regs = REGS;
  const g0 = Math.floor(s / G);
  const g1 = Math.floor((e - 1) / G);
  let p = p0;
  for (; p + 4 <= p1; p += 4) {
    const i0 = p * rw;
    const i1 = i0 + rw;
    const i2 = i1 + rw;
    const i3 = i2 + rw;
    for (let t = 0; t < tokens; t++) {
      const accBase = t * width - outStart;
      const aBase = t * P + p;
      for (let g = g0; g <= g1; g++) {
        for (let u = 0; u < 4; u++) {
          const r = (((p + u) * groups + g) * cA + actIdx[aBase + u]!) * cW;
          for (let w = 0; w < cW; w++) regs[u * 16 + w] = lut[r + w]!;
        }
        const j0 = Math.max(s, g * G) >> 3;
        const j1 = Math.min(e, (g + 1) * G) >> 3;
        for (let j = j0; j < j1; j++) {
          const w0 = words[i0 + j]!;
          const w1 = words[i1 + j]!;
          const w2 = words[i2 + j]!;
          const w3 = words[i3 + j]!;
          const k = accBase + 8 * j;
          acc[k] = acc[k]! + regs[w0 & 15]! + regs[16 + (w1 & 15)]! + regs[32 + (w2 & 15)]! + regs[48 + (w3 & 15)]!;
          acc[k + 1] = acc[k + 1]! + regs[(w0 >>> 4) & 15]! + regs[16 + ((w1 >>> 4) & 15)]! + regs[32 + ((w2 >>> 4) & 15)]! + regs[48 + ((w3 >>> 4) & 15)]!;
          acc[k + 2] = acc[k + 2]! + regs[(w0 >>> 8) & 15]! + regs[16 + ((w1 >>> 8) & 15)]! + regs[32 + ((w2 >>> 8) & 15)]! + regs[48 + ((w3 >>> 8) & 15)]!;
          acc[k + 3] = acc[k + 3]! + regs[(w0 >>> 12) & 15]! + regs[16 + ((w1 >>> 12) & 15)]! + regs[32 + ((w2 >>> 12) & 15)]! + regs[48 + ((w3 >>> 12) & 15)]!;
          acc[k + 4] = acc[k + 4]! + regs[(w0 >>> 16) & 15]! + regs[16 + ((w1 >>> 16) & 15)]! + regs[32 + ((w2 >>> 16) & 15)]! + regs[48 + ((w3 >>> 16) & 15)]!;
          acc[k + 5] = acc[k + 5]! + regs[(w0 >>> 20) & 15]! + regs[16 + ((w1 >>> 20) & 15)]! + regs[32 + ((w2 >>> 20) & 15)]! + regs[48 + ((w3 >>> 20) & 15)]!;
          acc[k + 6] = acc[k + 6]! + regs[(w0 >>> 24) & 15]! + regs[16 + ((w1 >>> 24) & 15)]! + regs[32 + ((w2 >>> 24) & 15)]! + regs[48 + ((w3 >>> 24) & 15)]!;
          acc[k + 7] = acc[k + 7]! + regs[w0 >>> 28]! + regs[16 + (w1 >>> 28)]! + regs[32 + (w2 >>> 28)]! + regs[48 + (w3 >>> 28)]!;
        }
      }
    }
  }
  for (; p < p1; p++) {
    const i0 = p * rw;
    for (let t = 0; t < tokens; t++) {
      const accBase = t * width - outStart;
      for (let g = g0; g <= g1; g++) {
        const r = ((p * groups + g) * cA + actIdx[t * P + p]!) * cW;
        for (let w = 0; w < cW; w++) regs[w] = lut[r + w]!;
        const j0 = Math.max(s, g * G) >> 3;
        const j1 = Math.min(e, (g + 1) * G) >> 3;
        for (let j = j0; j < j1; j++) {
          let w0 = words[i0 + j]!;
          const k = accBase + 8 * j;
          for (let u = 0; u < 8; u++, w0 >>>= 4) acc[k + u] = acc[k + u]! + regs[w0 & 15]!;
        }
      }
    }
  }
}

/** accumulateGeneric over [s, e), split at group boundaries (no-op when empty). */
function accumulateGenericRange(
  q: QuantizedLinear,
  actIdx: Uint8Array,
  tokens: number,
  p0: number,
  p1: number,
  s: number,
  e: number,
  outStart: number,
  width: number,
  acc: Int32Array,
): void {
  const G = q.cfg.groupSize;
  for (let n = s; n < e; ) {
    const g = Math.floor(n / G);
    const segEnd = Math.min(e, (g + 1) * G);
    accumulateGeneric(q, actIdx, tokens, p0, p1, g, n, segEnd, outStart, width, acc);
    n = segEnd;
  }
}

/** Any index width: one unpack per look-up (readPackedIndex). */
function accumulateGeneric(
  q: QuantizedLinear,
  actIdx: Uint8Array,
  tokens: number,
  p0: number,
  p1: number,
  g: number,
  s: number,
  e: number,
  outStart: number,
  width: number,
  acc: Int32Array,
): void {
  const { cA, cW } = q.cfg;
  const P = q.positions;
  const bits = q.weightIndexBits;
  const mask = (1 << bits) - 1;
  const lut = q.lut;
  const idx = q.weightIndices;
  for (let t = 0; t < tokens; t++) {
    const accBase = t * width - outStart;
    for (let p = p0; p < p1; p++) {
      const row = ((p * q.groups + g) * cA + actIdx[t * P + p]!) * cW;
      const off = p * q.weightIndexRowBytes;
      for (let n = s; n < e; n++) acc[accBase + n] = acc[accBase + n]! + lut[row + readPackedIndex(idx, bits, mask, off, n)]!;
    }
  }
}

/**
 * 4-bit indices (cW <= 16) when the rows are not word aligned (M not a multiple of 8): positions
 * 4 at a time, each index byte yields two outputs (low nibble = even output, high = odd).
 */
function accumulateNibbles(
  q: QuantizedLinear,
  actIdx: Uint8Array,
  tokens: number,
  p0: number,
  p1: number,
  g: number,
  s: number,
  e: number,
  outStart: number,
  width: number,
  acc: Int32Array,
): void {
  const { cA, cW } = q.cfg;
  const P = q.positions;
  const groups = q.groups;
  const lut = q.lut;
  const idx = q.weightIndices;
  const rowBytes = q.weightIndexRowBytes;
  // Odd edges are handled one output at a time so the main loop sees whole bytes.
  const sEven = s + (s & 1);
  const eEven = Math.max(sEven, e - (e & 1));
  const edges: number[] = [];
  for (let n = s; n < sEven && n < e; n++) edges.push(n);
  for (let n = eEven; n < e; n++) if (n >= sEven) edges.push(n);
  for (let t = 0; t < tokens; t++) {
    const accBase = t * width - outStart;
    const aBase = t * P;
    for (const n of edges) {
      const shift = (n & 1) * 4;
      let sum = 0;
      for (let p = p0; p < p1; p++) {
        const w = (idx[p * rowBytes + (n >> 1)]! >>> shift) & 15;
        sum += lut[((p * groups + g) * cA + actIdx[aBase + p]!) * cW + w]!;
      }
      acc[accBase + n] = acc[accBase + n]! + sum;
    }
    if (sEven >= eEven) continue;
    const j0 = sEven >> 1;
    const j1 = eEven >> 1;
    const k0 = accBase + sEven - 2 * j0; // acc index of output 2j is k0 + 2j
    let p = p0;
    for (; p + 4 <= p1; p += 4) {
      const r0 = ((p * groups + g) * cA + actIdx[aBase + p]!) * cW;
      const r1 = (((p + 1) * groups + g) * cA + actIdx[aBase + p + 1]!) * cW;
      const r2 = (((p + 2) * groups + g) * cA + actIdx[aBase + p + 2]!) * cW;
      const r3 = (((p + 3) * groups + g) * cA + actIdx[aBase + p + 3]!) * cW;
      const i0 = p * rowBytes;
      const i1 = i0 + rowBytes;
      const i2 = i1 + rowBytes;
      const i3 = i2 + rowBytes;
      for (let j = j0; j < j1; j++) {
        const b0 = idx[i0 + j]!;
        const b1 = idx[i1 + j]!;
        const b2 = idx[i2 + j]!;
        const b3 = idx[i3 + j]!;
        const k = k0 + 2 * j;
        acc[k] = acc[k]! + lut[r0 + (b0 & 15)]! + lut[r1 + (b1 & 15)]! + lut[r2 + (b2 & 15)]! + lut[r3 + (b3 & 15)]!;
        acc[k + 1] = acc[k + 1]! + lut[r0 + (b0 >>> 4)]! + lut[r1 + (b1 >>> 4)]! + lut[r2 + (b2 >>> 4)]! + lut[r3 + (b3 >>> 4)]!;
      }
    }
    for (; p < p1; p++) {
      const r0 = ((p * groups + g) * cA + actIdx[aBase + p]!) * cW;
      const i0 = p * rowBytes;
      for (let j = j0; j < j1; j++) {
        const b0 = idx[i0 + j]!;
        const k = k0 + 2 * j;
        acc[k] = acc[k]! + lut[r0 + (b0 & 15)]!;
        acc[k + 1] = acc[k + 1]! + lut[r0 + (b0 >>> 4)]!;
      }
    }
  }
}

/**
 * out[t][n - outStart] = (acc[t][n - outStart] - zeroPoint[g(n)] * P) * scale[g(n)], computed in
 * float64 and stored as float32 (equal to acc*scale - zeroPoint*scale*P of DESIGN.md 1.1; the
 * integer subtraction first is exact, so there is a single rounding). `acc` must hold the sum over
 * ALL P positions. acc and out are [tokens][outEnd - outStart].
 */
export function dequantizeTile(
  q: QuantizedLinear,
  acc: Int32Array,
  tokens: number,
  outStart: number,
  outEnd: number,
  out: Float32Array,
): void {
  assertQuantizedLinear(q);
  assertInt('tokens', tokens, 1);
  assertRange('output', outStart, outEnd, q.outFeatures);
  const width = outEnd - outStart;
  assertLength('acc', acc, tokens * width, `[tokens=${tokens}][outEnd-outStart=${width}]`);
  assertLength('out', out, tokens * width, `[tokens=${tokens}][outEnd-outStart=${width}]`);
  const G = q.cfg.groupSize;
  const P = q.positions;
  for (let t = 0; t < tokens; t++) {
    for (let n = outStart; n < outEnd; n++) {
      const g = Math.floor(n / G);
      const k = t * width + n - outStart;
      out[k] = (acc[k]! - q.lutZeroPoint[g]! * P) * q.lutScale[g]!;
    }
  }
}

/** Reference co-quantized GEMM: actIdx [T][P] -> y Float32Array [T][M] (accumulate + dequantize). */
export function lutGemm(q: QuantizedLinear, actIdx: Uint8Array, T: number): Float32Array {
  const M = q.outFeatures;
  const acc = new Int32Array(T * M);
  lutAccumulateTile(q, actIdx, T, 0, q.positions, 0, M, acc);
  const out = new Float32Array(T * M);
  dequantizeTile(q, acc, T, 0, M, out);
  return out;
}

/** Reference co-quantized GEMV (one token): actIdx [P] -> y [M]. */
export function lutGemv(q: QuantizedLinear, actIdx: Uint8Array): Float32Array {
  return lutGemm(q, actIdx, 1);
}

/** Encodes x [T][D] with the layer's activation codebooks (cfg.distance), then runs lutGemm. */
export function lutLinear(q: QuantizedLinear, x: Float32Array, T: number): Float32Array {
  assertLength('x', x, T * q.inFeatures, `[T=${T}][D=${q.inFeatures}]`);
  return lutGemm(q, encodeActivations(x, T, q.actCodebooks, q.cfg), T);
}
