import { describe, expect, it } from 'vitest';
import { checkKvCapacity, KvCacheImage, kvAddress, kvBytesPerPosition, kvCacheBytes, kvCacheLayout, kvChunkBursts, kvLayerBytes, kvRunBytes, QWEN3_1_7B_KV_LAYOUT as L } from './index.js';

describe('KV cache layout [layer][kvHead][K|V][position][headDim]', () => {
  it('bytes: 8 KiB per position per layer, 320 MiB per layer, 8.75 GiB for 28 layers (fits 32 GB of HBM)', () => {
    expect(kvBytesPerPosition(L)).toBe(8192);
    expect(kvRunBytes(L)).toBe(40960 * 128 * 4);
    expect(kvLayerBytes(L)).toBe(320 * 2 ** 20);
    expect(kvCacheBytes(L)).toBe(28 * 320 * 2 ** 20);
    expect(kvChunkBursts(L, 64)).toEqual({ bursts: 16, bytesPerBurst: 32768 });
  });

  it('addresses (hand-computed)', () => {
    expect(kvAddress(L, { layer: 0, kvHead: 0, kind: 'k', position: 0 })).toBe(0);
    expect(kvAddress(L, { layer: 0, kvHead: 0, kind: 'k', position: 1 })).toBe(512); // next position: headDim x 4 B
    expect(kvAddress(L, { layer: 0, kvHead: 0, kind: 'v', position: 0 })).toBe(kvRunBytes(L)); // V run follows the K run
    expect(kvAddress(L, { layer: 0, kvHead: 1, kind: 'k', position: 0 })).toBe(2 * kvRunBytes(L));
    expect(kvAddress(L, { layer: 1, kvHead: 0, kind: 'k', position: 0 })).toBe(kvLayerBytes(L));
    expect(kvAddress(L, { layer: 2, kvHead: 3, kind: 'v', position: 5, dim: 7 })).toBe((((2 * 8 + 3) * 2 + 1) * 40960 + 5) * 512 + 28);
    expect(() => kvAddress(L, { layer: 0, kvHead: 0, kind: 'k', position: 40960 })).toThrow(/position 40960 is outside 0..40959/);
  });

  it('rejects a context longer than the reservation and bad fields', () => {
    expect(() => checkKvCapacity(L, 40961, 'decode')).toThrow(/decode: context needs 40961 KV positions but the KV cache reserves 40960 positions per layer \(layout.maxPositions\)/);
    expect(() => kvCacheLayout({ kvHeads: 0 })).toThrow(/kvHeads must be an integer >= 1, got 0/);
  });
});

describe('KvCacheImage', () => {
  const layout = kvCacheLayout({ layers: 2, kvHeads: 2, headDim: 4, maxPositions: 40 });
  const rows = (n: number, base: number) => Float32Array.from({ length: n * 8 }, (_, i) => base + i);
  it('reads back what was written, across growth, per layer', () => {
    const img = new KvCacheImage(layout);
    img.write(1, 0, rows(3, 0), rows(3, 1000));
    img.write(1, 3, rows(30, 100), rows(30, 2000));
    expect(img.length(1)).toBe(33);
    expect(img.length(0)).toBe(0);
    const c = img.readChunk(1, 2, 5);
    expect(Array.from(c.k.subarray(0, 8))).toEqual(Array.from(rows(3, 0).subarray(16, 24)));
    expect(Array.from(c.k.subarray(8))).toEqual(Array.from(rows(30, 100).subarray(0, 32)));
    expect(Array.from(c.v.subarray(8, 16))).toEqual(Array.from(rows(30, 2000).subarray(0, 8)));
  });
  it('errors: gaps, overflow of the reservation, unwritten reads', () => {
    const img = new KvCacheImage(layout);
    expect(() => img.write(0, 2, rows(1, 0), rows(1, 0))).toThrow(/a write must start at 0, got 2/);
    img.write(0, 0, rows(40, 0), rows(40, 0));
    expect(() => img.write(0, 40, rows(1, 0), rows(1, 0))).toThrow(/context needs 41 KV positions but the KV cache reserves 40/);
    expect(() => img.readChunk(1, 0, 1)).toThrow(/positions 0..0 were not written/);
  });
});
