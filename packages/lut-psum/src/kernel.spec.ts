import type { ActivationIndexTileMeta, WeightTileMeta } from '@lut-llm/contracts';
import { Rng, synthesizeQuantizedLinear, type QuantizedLinear } from '@lut-llm/vq';
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { lutPsum2dTile } from './kernel.js';
import { lutPsum2d } from './operator.js';

/**
 * The 2D LUT-PSum kernel against a naive scalar loop written here from the layout of
 * DESIGN.md 1.1 / vq's QuantizedLinear, not from the vq kernel it wraps (whose fast paths read
 * 32-bit words of 8 nibbles): for every token t and output n of the tile,
 *   psum[t][n] = sum over positions p of lut[p][g(n)][a[t][p]][w(p, n)],  g(n) = floor(n / G),
 * with w(p, n) unpacked bit by bit from row p of the packed indices (LSB-first, n * bits onwards).
 */
function unpackIndex(q: QuantizedLinear, p: number, n: number): number {
  let w = 0;
  for (let k = 0; k < q.weightIndexBits; k++) {
    const bit = n * q.weightIndexBits + k;
    w |= ((q.weightIndices[p * q.weightIndexRowBytes + (bit >> 3)]! >> (bit & 7)) & 1) << k;
  }
  return w;
}

function naivePsum(q: QuantizedLinear, act: Uint8Array, tokens: number, outStart: number, outEnd: number): number[] {
  const { cA, cW, groupSize: G } = q.cfg;
  const out: number[] = [];
  for (let t = 0; t < tokens; t++) {
    for (let n = outStart; n < outEnd; n++) {
      const g = Math.floor(n / G);
      let s = 0;
      for (let p = 0; p < q.positions; p++) s += q.lut[((p * q.groups + g) * cA + act[t * q.positions + p]!) * cW + unpackIndex(q, p, n)]!;
      out.push(s);
    }
  }
  return out;
}

// Shapes chosen to reach every path of the wrapped kernel: G = 32 with 4-bit indices (whole
// 32-bit words of 8 outputs), G = 12 (groups not word aligned), rows of 18 bytes (no word view:
// nibble by nibble), c_w = 8 (3-bit indices: the
// generic unpacker), tiles with unaligned edges, 13 positions (not a multiple of the 4-position
// unrolling), GEMV and GEMM.
const CASES = [
  { name: 'G = 32, c_w = 16, whole layer', M: 64, P: 13, cfg: { groupSize: 32 }, tokens: 1, out: [0, 64] },
  { name: 'G = 32, c_w = 16, unaligned tile [3, 45)', M: 64, P: 13, cfg: { groupSize: 32 }, tokens: 3, out: [3, 45] },
  { name: 'G = 12, c_w = 16, tile [5, 42) (words inside groups that are not word aligned)', M: 48, P: 9, cfg: { groupSize: 12 }, tokens: 2, out: [5, 42] },
  { name: 'G = 16, c_w = 16, M = 36 (rows of 18 bytes: the nibble path)', M: 36, P: 9, cfg: { groupSize: 16 }, tokens: 2, out: [1, 36] },
  { name: 'G = 16, c_w = 8 (3-bit indices), INT4 tables', M: 40, P: 7, cfg: { groupSize: 16, cW: 8, lutBits: 4 as const }, tokens: 2, out: [0, 40] },
] as const;

describe('lutPsum2dTile vs a naive scalar loop over the unpacked indices', () => {
  for (const c of CASES) {
    it(c.name, () => {
      const rng = new Rng(c.M * 31 + c.P);
      const q = synthesizeQuantizedLinear(c.M, 2 * c.P, c.cfg, rng);
      const act = Uint8Array.from({ length: c.tokens * c.P }, () => rng.int(q.cfg.cA));
      const [s, e] = c.out;
      expect(Array.from(lutPsum2dTile(q, act, c.tokens, s, e))).toEqual(naivePsum(q, act, c.tokens, s, e));
    });
  }

  it('a hand-checked case: one position, one token, entries read at [a][w] of each output group', () => {
    // P = 1, M = 4, G = 2: output n reads lut[0][floor(n / 2)][a = 1][w(0, n)].
    const q = synthesizeQuantizedLinear(4, 2, { groupSize: 2, cA: 2, cW: 4 }, new Rng(1));
    const idx = Uint8Array.from([1]);
    const want = [0, 1, 2, 3].map((n) => q.lut[(Math.floor(n / 2) * 2 + 1) * 4 + unpackIndex(q, 0, n)]!);
    expect(Array.from(lutPsum2dTile(q, idx, 1, 0, 4))).toEqual(want);
    // 2-bit indices LSB-first: output n sits in bits 2n, 2n + 1 of byte 0.
    expect([0, 1, 2, 3].map((n) => unpackIndex(q, 0, n))).toEqual([0, 1, 2, 3].map((n) => (q.weightIndices[0]! >> (2 * n)) & 3));
  });

  it('operator: the same partial sums per (block, tile), INT32, T x ceil(w / 512) cycles each', async () => {
    const rng = new Rng(77);
    const q = synthesizeQuantizedLinear(64, 26, { groupSize: 32 }, rng);
    const act = Uint8Array.from({ length: 2 * 13 }, () => rng.int(q.cfg.cA));
    const block = { op: 'x', tokens: 2, block: 0, blocks: 1, posStart: 0, posEnd: 13 };
    const idx = { meta: { kind: 'activation-index', ...block } as ActivationIndexTileMeta, payload: { indices: act } };
    const weights = (j: number) => ({
      meta: { kind: 'weights', variant: 'co-quant', ...block, tile: j, tilesPerBlock: 2, outStart: 32 * j, outEnd: 32 * j + 32, group: j, loadsTable: true, bytes: 0 } as WeightTileMeta,
      payload: { layer: q },
    });
    const out = await lastValueFrom(from([0, 1].map((j) => [idx, weights(j)] as const)).pipe(lutPsum2d({ matchers: 16 }), toArray()));
    expect(out.map((t) => (t.payload.kind === 'int32' ? Array.from(t.payload.psum) : []))).toEqual([naivePsum(q, act, 2, 0, 32), naivePsum(q, act, 2, 32, 64)]);
    expect(out.map((t) => t.iiCycles)).toEqual([2, 2]);
  });
});
