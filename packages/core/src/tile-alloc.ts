/**
 * Zeroed typed arrays for kernel outputs, carved from shared slabs. V8 gives every typed array
 * over 64 bytes a backing store of its own (allocated off the JS heap, tracked and swept by the
 * GC), which costs more than a small tile kernel's work: a LUTLinear decode step of Qwen3-1.7B
 * makes about 210k partial-sum and running-sum tiles of 2 KB. A view on a slab is an ordinary
 * typed array (zeroed, never handed out twice), so a kernel using these stays pure; a slab is
 * freed once none of its views is alive. Views are partial (`byteOffset` may be > 0, `buffer` is
 * the shared slab), so they cross threads copied (MessageEncoder), never with their whole slab.
 */
const SLAB_BYTES = 64 * 1024;
/** Larger arrays get buffers of their own (a slab would hold too few). */
const MAX_TILE_BYTES = SLAB_BYTES / 8;

let slab = new ArrayBuffer(SLAB_BYTES);
let usedBytes = 0;

function carve(bytes: number): number {
  if (usedBytes + bytes > SLAB_BYTES) {
    slab = new ArrayBuffer(SLAB_BYTES);
    usedBytes = 0;
  }
  const at = usedBytes;
  usedBytes += (bytes + 7) & ~7; // 8-byte aligned: any element type can follow
  return at;
}

/** A zeroed Int32Array of `length` elements (like `new Int32Array(length)`). */
export function int32Tile(length: number): Int32Array {
  const bytes = length * 4;
  // Bad lengths go to the constructor (which throws) before anything is carved.
  if (!(length >= 0 && bytes <= MAX_TILE_BYTES)) return new Int32Array(length);
  const at = carve(bytes); // before reading `slab`: carving may start a new one
  return new Int32Array(slab, at, length);
}

/** A zeroed Float32Array of `length` elements (like `new Float32Array(length)`). */
export function float32Tile(length: number): Float32Array {
  const bytes = length * 4;
  if (!(length >= 0 && bytes <= MAX_TILE_BYTES)) return new Float32Array(length);
  const at = carve(bytes);
  return new Float32Array(slab, at, length);
}
