import { VqInputError, assertInt } from './errors.js';

/**
 * Bit packing of codebook indices. Layout: a little-endian bit stream, LSB first. Index i
 * occupies bits [i*bits, (i+1)*bits) of the stream, where bit k of the stream is bit (k mod 8)
 * of byte floor(k / 8). For bits = 4 this means index 2j is the LOW nibble of byte j and index
 * 2j+1 the HIGH nibble; for bits = 8 it is one index per byte. Unused trailing bits of the
 * last byte are zero.
 */

/** Bytes needed to hold `count` indices of `bits` bits each. */
export function packedByteLength(count: number, bits: number): number {
  assertInt('index count', count, 0);
  assertInt('index bits', bits, 1, 8);
  return Math.ceil((count * bits) / 8);
}

/**
 * Packs `indices` (each < 2^bits) into `out` starting at byte `outOffset` (bytes it covers are
 * overwritten). Returns `out` (a new array of `packedByteLength` bytes when omitted).
 */
export function packIndices(indices: Uint8Array, bits: number, out?: Uint8Array, outOffset = 0): Uint8Array {
  const nBytes = packedByteLength(indices.length, bits);
  const dst = out ?? new Uint8Array(nBytes);
  if (outOffset < 0 || outOffset + nBytes > dst.length) {
    throw new VqInputError(`packIndices: output too small (${dst.length} bytes) for ${nBytes} bytes at offset ${outOffset}`);
  }
  const limit = 1 << bits;
  for (let i = 0; i < indices.length; i++) {
    if (indices[i]! >= limit) throw new VqInputError(`packIndices: indices[${i}] = ${indices[i]} does not fit in ${bits} bits`);
  }
  dst.fill(0, outOffset, outOffset + nBytes);
  if (bits === 8) {
    dst.set(indices, outOffset);
  } else if (bits === 4) {
    const n = indices.length;
    let j = outOffset;
    let i = 0;
    for (; i + 1 < n; i += 2) dst[j++] = indices[i]! | (indices[i + 1]! << 4);
    if (i < n) dst[j] = indices[i]!;
  } else {
    let bitPos = 0;
    for (let i = 0; i < indices.length; i++, bitPos += bits) {
      const byte = outOffset + (bitPos >>> 3);
      const shift = bitPos & 7;
      const v = indices[i]! << shift; // at most 15 bits wide
      dst[byte] = dst[byte]! | (v & 0xff);
      if (shift + bits > 8) dst[byte + 1] = dst[byte + 1]! | (v >>> 8);
    }
  }
  return dst;
}

/**
 * Unpacks `count` indices of `bits` bits from `packed` starting at byte `offset` into `out`
 * (a new Uint8Array(count) when omitted). Inverse of `packIndices`.
 */
export function unpackIndices(packed: Uint8Array, bits: number, count: number, out?: Uint8Array, offset = 0): Uint8Array {
  const nBytes = packedByteLength(count, bits);
  if (offset < 0 || offset + nBytes > packed.length) {
    throw new VqInputError(`unpackIndices: need ${nBytes} bytes at offset ${offset}, input has ${packed.length}`);
  }
  const dst = out ?? new Uint8Array(count);
  if (dst.length < count) throw new VqInputError(`unpackIndices: output has ${dst.length} slots, need ${count}`);
  const mask = (1 << bits) - 1;
  for (let i = 0; i < count; i++) dst[i] = readPackedIndex(packed, bits, mask, offset, i);
  return dst;
}

/** Reads index `i` from a packed stream starting at byte `offset` (see the layout above). */
export function readPackedIndex(packed: Uint8Array, bits: number, mask: number, offset: number, i: number): number {
  const bitPos = i * bits;
  const byte = offset + (bitPos >>> 3);
  const shift = bitPos & 7;
  let v = packed[byte]! >>> shift;
  if (shift + bits > 8) v |= packed[byte + 1]! << (8 - shift);
  return v & mask;
}
