import type { KvCacheLayout, KvChunkPayload } from '@lut-llm/contracts';
import { checkKvCapacity } from './layout.js';

/**
 * Host-side model of the KV cache's HBM contents (functional mode): per layer, FP32 values in the
 * layout's order [kvHead][kind][position][headDim] (storage grows with the positions written, so
 * a small test does not allocate the whole reservation). It is the data behind the timing of the
 * KV writer and prefetcher: the prefetcher's kernel reads chunks from it, so it must not change
 * during a run (write the new K/V after the step, as the writer's HBM write completes).
 */
export class KvCacheImage {
  private readonly store: Float32Array[] = [];
  private readonly capacity: number[] = [];
  private readonly written: number[] = [];

  constructor(readonly layout: KvCacheLayout) {}

  /** Positions 0 .. length - 1 of `layer` have been written. */
  length(layer: number): number {
    return this.written[layer] ?? 0;
  }

  private checkLayer(layer: number): void {
    if (!Number.isInteger(layer) || layer < 0 || layer >= this.layout.layers) throw new RangeError(`KV cache: layer ${layer} is outside 0..${this.layout.layers - 1}`);
  }

  private ensure(layer: number, positions: number): Float32Array {
    const { kvHeads, headDim } = this.layout;
    let cap = this.capacity[layer] ?? 0;
    if (positions <= cap) return this.store[layer]!;
    let next = Math.max(16, cap);
    while (next < positions) next *= 2;
    next = Math.min(next, this.layout.maxPositions);
    const data = new Float32Array(kvHeads * 2 * next * headDim);
    const old = this.store[layer];
    if (old) {
      for (let run = 0; run < kvHeads * 2; run++) data.set(old.subarray(run * cap * headDim, (run + 1) * cap * headDim), run * next * headDim);
    }
    this.store[layer] = data;
    this.capacity[layer] = cap = next;
    return data;
  }

  /**
   * Writes K and V ([positions][kvHeads x headDim] each) of positions positionStart .. + positions - 1.
   * Positions must continue the layer's cache (no gaps).
   */
  write(layer: number, positionStart: number, k: Float32Array, v: Float32Array): void {
    this.checkLayer(layer);
    const { kvHeads, headDim } = this.layout;
    const row = kvHeads * headDim;
    if (k.length !== v.length || k.length % row !== 0) throw new RangeError(`KV cache write: k and v must be [positions][${kvHeads} x ${headDim}], got ${k.length} and ${v.length} values`);
    const n = k.length / row;
    if (positionStart !== this.length(layer)) throw new RangeError(`KV cache write: layer ${layer} holds positions 0..${this.length(layer) - 1}; a write must start at ${this.length(layer)}, got ${positionStart}`);
    checkKvCapacity(this.layout, positionStart + n, `KV cache write (layer ${layer})`);
    const data = this.ensure(layer, positionStart + n);
    const cap = this.capacity[layer]!;
    for (let p = 0; p < n; p++) {
      for (let h = 0; h < kvHeads; h++) {
        data.set(k.subarray(p * row + h * headDim, p * row + (h + 1) * headDim), ((h * 2 + 0) * cap + positionStart + p) * headDim);
        data.set(v.subarray(p * row + h * headDim, p * row + (h + 1) * headDim), ((h * 2 + 1) * cap + positionStart + p) * headDim);
      }
    }
    this.written[layer] = positionStart + n;
  }

  /** Reads positions positionStart .. + positions - 1 of a layer as [positions][kvHeads x headDim] K and V. */
  readChunk(layer: number, positionStart: number, positions: number): KvChunkPayload {
    this.checkLayer(layer);
    if (positionStart < 0 || positions < 1 || positionStart + positions > this.length(layer)) {
      throw new RangeError(`KV cache read: layer ${layer} positions ${positionStart}..${positionStart + positions - 1} were not written (cache holds 0..${this.length(layer) - 1})`);
    }
    const { kvHeads, headDim } = this.layout;
    const row = kvHeads * headDim;
    const cap = this.capacity[layer]!;
    const data = this.store[layer]!;
    const k = new Float32Array(positions * row);
    const v = new Float32Array(positions * row);
    for (let p = 0; p < positions; p++) {
      for (let h = 0; h < kvHeads; h++) {
        k.set(data.subarray(((h * 2 + 0) * cap + positionStart + p) * headDim, ((h * 2 + 0) * cap + positionStart + p + 1) * headDim), p * row + h * headDim);
        v.set(data.subarray(((h * 2 + 1) * cap + positionStart + p) * headDim, ((h * 2 + 1) * cap + positionStart + p + 1) * headDim), p * row + h * headDim);
      }
    }
    return { k, v };
  }
}
