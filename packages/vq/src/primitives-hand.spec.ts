// Hand-derived values of vq's primitives: centroid distances and the nearest-centroid search at
// v = 4, index packing into shared and dirty buffers, the Box-Muller pairs and the rejection
// sampling of Rng (re-derived from their textbook definitions on a twin generator), the FP32
// reference's argument checks, and the configuration's messages.
import { describe, expect, it } from 'vitest';
import { Rng, centroidDistance, encodeActivations, fp32Gemm, fp32Gemv, nearestCentroid, packIndices, packedByteLength, resolveVqConfig, unpackIndices } from './index.js';

const f32 = (...v: number[]) => Float32Array.from(v);

describe('centroid distances and search by hand', () => {
  it('x = (1, -2, 3, 0), c = (2, 1, -1, 0): Chebyshev max(1, 3, 4, 0) = 4, squared L2 1 + 9 + 16 = 26 (at offsets)', () => {
    const x = f32(9, 9, 1, -2, 3, 0);
    const cb = f32(7, 2, 1, -1, 0);
    expect(centroidDistance(x, 2, cb, 1, 4, 'chebyshev')).toBe(4);
    expect(centroidDistance(x, 2, cb, 1, 4, 'l2sq')).toBe(26);
    // the largest difference in the first element: |5 - (-1)| = 6
    expect(centroidDistance(f32(5, 0), 0, f32(-1, 1), 0, 2, 'chebyshev')).toBe(6);
  });

  it('v = 4: the last two elements decide (the first two tie); only the first k centroids are searched', () => {
    // x = (0, 0, 1, 1); centroid 0 = (0, 0, 5, 5), centroid 1 = (0, 0, 1, 2), centroid 2 = x itself (not searched, k = 2)
    const x = f32(0, 0, 1, 1);
    const cb = f32(0, 0, 5, 5, 0, 0, 1, 2, 0, 0, 1, 1);
    for (const metric of ['chebyshev', 'l2sq'] as const) {
      expect(nearestCentroid(x, 0, cb, 0, 2, 4, metric)).toBe(1);
      expect(nearestCentroid(x, 0, cb, 0, 3, 4, metric)).toBe(2);
    }
  });

  it('encodeActivations names its arguments', () => {
    const cfg = { v: 2, cA: 1, distance: 'l2sq' } as const;
    expect(() => encodeActivations(new Float32Array(4), 0, new Float32Array(4), cfg)).toThrow('tokens must be an integer >= 1, got 0');
    expect(() => encodeActivations(new Float32Array(4), 1, new Float32Array(4), cfg, new Uint8Array(3))).toThrow('activation index output has length 3, expected 2 ([T=1][P=2])');
  });
});

describe('index packing by hand', () => {
  it('4-bit rows of even length packed out of order into one buffer leave each other intact', () => {
    // row 0 = [1, 2, 3, 4] -> 0x21, 0x43; row 1 = [5, 6, 7, 8] -> 0x65, 0x87
    const buf = new Uint8Array(4).fill(0xff);
    packIndices(Uint8Array.from([5, 6, 7, 8]), 4, buf, 2);
    packIndices(Uint8Array.from([1, 2, 3, 4]), 4, buf, 0);
    expect(Array.from(buf)).toEqual([0x21, 0x43, 0x65, 0x87]);
  });

  it('a row of odd length: its last byte holds one index, the next byte is not touched', () => {
    const buf = new Uint8Array(3).fill(0xff);
    packIndices(Uint8Array.from([1, 2, 3]), 4, buf, 0);
    expect(Array.from(buf)).toEqual([0x21, 0x03, 0xff]);
  });

  it('3-bit indices straddle bytes; a dirty buffer is cleared first; unpacking leaves extra output slots alone', () => {
    // [7, 1, 6]: bits 0-2 = 111, 3-5 = 001, 6-8 = 110 -> byte 0 = 0b10_001_111 = 0x8f, byte 1 = 0b1 = 0x01
    const buf = new Uint8Array(3).fill(0xff);
    packIndices(Uint8Array.from([7, 1, 6]), 3, buf, 1);
    expect(Array.from(buf)).toEqual([0xff, 0x8f, 0x01]);
    const out = new Uint8Array(4).fill(9);
    expect(Array.from(unpackIndices(buf, 3, 3, out, 1))).toEqual([7, 1, 6, 9]);
  });

  it('bounds, named', () => {
    expect(() => packedByteLength(-1, 2)).toThrow('index count must be an integer >= 0, got -1');
    expect(() => packIndices(Uint8Array.from([1, 2]), 4, new Uint8Array(1), 1)).toThrow('packIndices: output too small (1 bytes) for 1 bytes at offset 1');
    expect(() => packIndices(Uint8Array.from([1, 2]), 4, new Uint8Array(2), -1)).toThrow('packIndices: output too small (2 bytes) for 1 bytes at offset -1');
    expect(() => unpackIndices(new Uint8Array(2), 4, 4, undefined, 1)).toThrow('unpackIndices: need 2 bytes at offset 1, input has 2');
    expect(() => unpackIndices(new Uint8Array(2), 4, 2, undefined, -1)).toThrow('unpackIndices: need 1 bytes at offset -1, input has 2');
    expect(() => unpackIndices(new Uint8Array(2), 4, 4, new Uint8Array(3))).toThrow('unpackIndices: output has 3 slots, need 4');
  });
});

describe('Rng against the textbook definitions', () => {
  it('normal(): Box-Muller pairs from u1 = (u32 + 1) 2^-32 and u2 = u32 2^-32: r cos(2 pi u2), then the cached r sin(2 pi u2)', () => {
    const rng = new Rng(17);
    const twin = new Rng(17);
    for (let pair = 0; pair < 3; pair++) {
      const u1 = (twin.nextU32() + 1) * 2 ** -32;
      const u2 = twin.nextU32() * 2 ** -32;
      const r = Math.sqrt(-2 * Math.log(u1));
      expect(rng.normal()).toBe(r * Math.cos(2 * Math.PI * u2));
      expect(rng.normal()).toBe(r * Math.sin(2 * Math.PI * u2));
    }
  });

  it('int(n): rejection sampling below the largest multiple of n <= 2^32, then mod n; n = 2^32 is one plain draw', () => {
    const n = 3 * 2 ** 30; // limit = 2^32 - (2^32 mod n) = 3 x 2^30: a quarter of the draws are rejected
    const rng = new Rng(3);
    const twin = new Rng(3);
    let rejected = 0;
    for (let i = 0; i < 40; i++) {
      let u = twin.nextU32();
      while (u >= n) {
        u = twin.nextU32();
        rejected++;
      }
      expect(rng.int(n)).toBe(u % n);
    }
    expect(rejected).toBeGreaterThan(0); // the rejection path was taken
    const a = new Rng(8);
    const b = new Rng(8);
    expect(a.int(2 ** 32)).toBe(b.nextU32());
    expect(() => a.int(2 ** 32 + 1)).toThrow('Rng.int(n): n must be an integer in [1, 2^32], got 4294967297');
    expect(() => a.int(0)).toThrow('Rng.int(n): n must be an integer in [1, 2^32], got 0');
  });
});

describe('FP32 reference and configuration messages', () => {
  it('fp32Gemm: y = W x per token, argument checks named', () => {
    // W = [[1, 2], [3, 4], [5, 6]], x = [[1, 1], [2, -1]]: y = [[3, 7, 11], [0, 2, 4]]
    expect(Array.from(fp32Gemm(f32(1, 2, 3, 4, 5, 6), 3, 2, f32(1, 1, 2, -1), 2))).toEqual([3, 7, 11, 0, 2, 4]);
    expect(() => fp32Gemm(new Float32Array(2), 0, 2, new Float32Array(2), 1)).toThrow('out-features M must be an integer >= 1, got 0');
    expect(() => fp32Gemm(new Float32Array(2), 1, 0, new Float32Array(2), 1)).toThrow('in-features D must be an integer >= 1, got 0');
    expect(() => fp32Gemm(new Float32Array(2), 1, 2, new Float32Array(2), 0)).toThrow('tokens T must be an integer >= 1, got 0');
    expect(() => fp32Gemm(new Float32Array(3), 1, 2, new Float32Array(2), 1)).toThrow('weight has length 3, expected 2 ([M=1][D=2])');
    expect(() => fp32Gemm(new Float32Array(2), 1, 2, new Float32Array(3), 1)).toThrow('x has length 3, expected 2 ([T=1][D=2])');
    expect(() => fp32Gemv(new Float32Array(2), 1, 2, new Float32Array(3))).toThrow('x has length 3, expected D = 2');
  });

  it('resolveVqConfig: unknown fields list the known ones; undefined fields keep their defaults', () => {
    expect(() => resolveVqConfig({ bits: 4 } as never)).toThrow("VqConfig: unknown field 'bits' (known: v, cA, cW, groupSize, lutBits, distance, kmeansIters, seed)");
    expect(resolveVqConfig({ cA: undefined, cW: 4 })).toMatchObject({ cA: 64, cW: 4 });
  });
});
