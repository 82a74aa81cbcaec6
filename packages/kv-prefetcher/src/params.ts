import type { KvCacheLayout } from '@lut-llm/contracts';
import { HBM_READ_LATENCY_CYCLES } from '@lut-llm/memory';
import type { KvCacheImage } from './cache-image.js';
import { QWEN3_1_7B_KV_LAYOUT } from './layout.js';

/** One history read: positions 0 .. historyPositions - 1 of `layer`. */
export interface KvPrefetchJob {
  readonly layer: number;
  readonly historyPositions: number;
}

/** Parameters of the KV prefetcher (reader of the KV history). */
export interface KvPrefetcherParams {
  readonly layout: KvCacheLayout;
  /**
   * Positions per chunk (per HBM read request, per `kv` token). Default 64: the attention unit's
   * kvChunkPositions (they must agree); 64 positions x 8 KiB = 512 KiB, 16 bursts of 32 KiB.
   */
  readonly chunkPositions: number;
  /**
   * true: a job's history read starts as soon as the prefetcher can issue it (the layer's start,
   * while the QKV projection runs). false: it waits for a token on `trigger` (the QKV projection
   * done: fetch on demand), so the gain of prefetching can be measured. Default true (the design).
   */
  readonly prefetch: boolean;
  /**
   * Chunks the on-chip KV buffer holds (the depth of the prefetcher -> attention stream); the
   * prefetcher stalls when it is full. Default 4 (2 MiB of FP32 K/V, ~57 URAM288 of 1925): double
   * buffering needs 2; at the default bandwidth ~1.25 chunks arrive during a QKV projection of
   * ~10k cycles, so 4 leaves headroom.
   */
  readonly bufferChunks: number;
  /** Name of the HBM channel-group resource the reads use. Default 'hbm.kvRead' (2 channels, DESIGN 1.4). */
  readonly readResource: string;
  /** Request -> data latency of an HBM read. Default HBM_READ_LATENCY_CYCLES (64, see @lut-llm/memory). */
  readonly readLatencyCycles: number;
  /** Histories to read, in order. */
  readonly jobs: readonly KvPrefetchJob[];
  /** HBM contents (functional mode only). */
  readonly image?: KvCacheImage;
}

export const DEFAULT_KV_PREFETCHER_PARAMS: KvPrefetcherParams = {
  layout: QWEN3_1_7B_KV_LAYOUT,
  chunkPositions: 64,
  prefetch: true,
  bufferChunks: 4,
  readResource: 'hbm.kvRead',
  readLatencyCycles: HBM_READ_LATENCY_CYCLES,
  jobs: [],
};

/** Parameters of the KV writer (new K/V to HBM as they are produced). */
export interface KvWriterParams {
  readonly layout: KvCacheLayout;
  /** Default 'hbm.kvWrite' (2 channels, DESIGN 1.4). */
  readonly writeResource: string;
  /**
   * Cycles from the last beat to the write response. Default HBM_READ_LATENCY_CYCLES: the same
   * controller round trip as a read (the paper gives neither).
   */
  readonly writeLatencyCycles: number;
}

export const DEFAULT_KV_WRITER_PARAMS: KvWriterParams = {
  layout: QWEN3_1_7B_KV_LAYOUT,
  writeResource: 'hbm.kvWrite',
  writeLatencyCycles: HBM_READ_LATENCY_CYCLES,
};
