import type { TokenMeta } from '@lut-llm/core';

/**
 * Stream contract of the KV-cache path (DESIGN.md 1.2 item 7): K/V written to HBM as produced,
 * the history read back in chunks of consecutive positions.
 */

/**
 * Where the KV cache lives in HBM. Address layout (bytes, row-major, first index outermost):
 *   [layer][kvHead][kind: K = 0, V = 1][position 0 .. maxPositions-1][headDim] x bytesPerElement
 * so one (layer, KV head, K or V) is a contiguous run of maxPositions x headDim elements and a
 * chunk of consecutive positions is 2 x kvHeads contiguous bursts.
 */
export interface KvCacheLayout {
  readonly layers: number;
  readonly kvHeads: number;
  readonly headDim: number;
  /** Positions reserved per layer: the KV capacity; a longer context is an error. */
  readonly maxPositions: number;
  /** Bytes per stored element (4: FP32, as the attention unit computes; 2: an FP16 cache). */
  readonly bytesPerElement: number;
}

/** Metadata of a KV chunk token: positions positionStart .. positionStart + positions - 1 of one layer. */
export interface KvChunkMeta extends TokenMeta {
  readonly layer: number;
  readonly positionStart: number;
  readonly positions: number;
  /** Chunk number within this job's history, and the job's chunk count. */
  readonly chunk: number;
  readonly chunks: number;
}

/** Payload of a KV chunk (functional mode): keys and values, each [positions][kvHeads * headDim]. */
export interface KvChunkPayload {
  readonly k: Float32Array;
  readonly v: Float32Array;
}

/** Metadata of a token of new K/V on its way to HBM (the KV writer's input). */
export interface KvWriteMeta extends TokenMeta {
  readonly layer: number;
  readonly positionStart: number;
  readonly positions: number;
}
