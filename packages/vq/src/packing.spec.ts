import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { packIndices, packedByteLength, unpackIndices } from './packing.js';

describe('index packing', () => {
  it('round-trips for every width 1..8 (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }).chain((bits) =>
          fc.tuple(fc.constant(bits), fc.array(fc.integer({ min: 0, max: (1 << bits) - 1 }), { maxLength: 200 })),
        ),
        ([bits, arr]) => {
          const idx = Uint8Array.from(arr);
          const packed = packIndices(idx, bits);
          expect(packed.length).toBe(Math.ceil((arr.length * bits) / 8));
          expect(Array.from(unpackIndices(packed, bits, arr.length))).toEqual(arr);
        },
      ),
      { numRuns: 100, seed: 11 }, // fixed seed: a failure reproduces on every run and machine
    );
  });

  it('4-bit layout: index 2j is the low nibble of byte j, 2j+1 the high nibble', () => {
    expect(Array.from(packIndices(Uint8Array.from([1, 2, 3, 15, 9]), 4))).toEqual([0x21, 0xf3, 0x09]);
  });

  it('6-bit layout is an LSB-first bit stream crossing byte boundaries', () => {
    // 63 = 0b111111 at bits 0..5, 1 at bits 6..11 -> byte0 = 0b01111111, byte1 = 0b00000000 | (1 >> 2)
    expect(Array.from(packIndices(Uint8Array.from([63, 1]), 6))).toEqual([0x7f, 0x00]);
    expect(Array.from(packIndices(Uint8Array.from([0, 4]), 6))).toEqual([0x00, 0x01]);
  });

  it('packs into an offset of an existing buffer without touching other bytes', () => {
    const buf = new Uint8Array(6).fill(0xaa);
    packIndices(Uint8Array.from([1, 2, 3]), 4, buf, 2);
    expect(Array.from(buf)).toEqual([0xaa, 0xaa, 0x21, 0x03, 0xaa, 0xaa]);
    expect(Array.from(unpackIndices(buf, 4, 3, undefined, 2))).toEqual([1, 2, 3]);
  });

  it('rejects indices that do not fit and short buffers', () => {
    expect(() => packIndices(Uint8Array.from([0, 16]), 4)).toThrow(/indices\[1\] = 16 does not fit in 4 bits/);
    expect(() => packIndices(Uint8Array.from([1, 2, 3]), 4, new Uint8Array(1))).toThrow(/output too small/);
    expect(() => unpackIndices(new Uint8Array(1), 4, 3)).toThrow(/need 2 bytes/);
    expect(() => packedByteLength(3, 9)).toThrow(/index bits must be an integer in \[1, 8\], got 9/);
  });
});
