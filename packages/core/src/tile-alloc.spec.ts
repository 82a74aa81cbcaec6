import { describe, expect, it } from 'vitest';
import { float32Tile, int32Tile } from './tile-alloc.js';
import { MessageEncoder } from './transfer.js';

describe('tile allocation (slab views)', () => {
  it('hands out zeroed, disjoint arrays, also across slab boundaries', () => {
    // 5 KB tiles: a 64 KB slab holds 12, so 40 of them span 4 slabs.
    const tiles = Array.from({ length: 40 }, (_, i) => {
      const t = i % 2 ? int32Tile(1280) : float32Tile(1280);
      expect(t.length).toBe(1280);
      expect(t.every((v) => v === 0)).toBe(true);
      t.fill(i + 1);
      return t;
    });
    // Every tile still holds its own value: no two overlap.
    tiles.forEach((t, i) => expect(t.every((v) => v === i + 1)).toBe(true));
    expect(tiles.some((t) => t.byteOffset > 0)).toBe(true);
  });

  it('a bad length throws and leaves the slab as it was', () => {
    const a = int32Tile(4).fill(7);
    expect(() => int32Tile(-2)).toThrow(RangeError);
    expect(() => float32Tile(-1)).toThrow(RangeError);
    const b = int32Tile(4);
    expect([...b]).toEqual([0, 0, 0, 0]);
    b.fill(9);
    expect([...a]).toEqual([7, 7, 7, 7]);
  });

  it('gives large arrays a buffer of their own', () => {
    const big = int32Tile(4096);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(4096 * 4);
    expect(float32Tile(0).length).toBe(0);
  });

  it('a tile crosses threads copied, without the rest of its slab', () => {
    const a = int32Tile(8).fill(7);
    int32Tile(8).fill(9); // a neighbour on the same slab
    expect(a.buffer.byteLength).toBeGreaterThan(a.byteLength);
    const enc = new MessageEncoder();
    const sent = enc.encode({ acc: a }) as { acc: Int32Array };
    expect(sent.acc).not.toBe(a);
    expect(sent.acc.buffer.byteLength).toBe(32);
    expect([...sent.acc]).toEqual([7, 7, 7, 7, 7, 7, 7, 7]);
    expect(enc.transfer).toEqual([sent.acc.buffer]);
  });
});
