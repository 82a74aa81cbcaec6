export {
  QWEN3_1_7B_KV_LAYOUT,
  kvCacheLayout,
  kvRunBytes,
  kvBytesPerPosition,
  kvLayerBytes,
  kvCacheBytes,
  kvAddress,
  checkKvCapacity,
  kvChunkBursts,
} from './layout.js';
export { KvCacheImage } from './cache-image.js';
export { DEFAULT_KV_PREFETCHER_PARAMS, DEFAULT_KV_WRITER_PARAMS, type KvPrefetchJob, type KvPrefetcherParams, type KvWriterParams } from './params.js';
export { kvPrefetcherActor, kvPrefetchSchedule, kvChunkWidthBytes, hbmKvPrefetcherStage, type KvPrefetchChunk } from './prefetcher.js';
export { kvWriterActor, kvWriterWidthBytes } from './writer.js';
export {
  predictDecodeLayerAttention,
  qkvProjectionCyclesEstimate,
  type ConsumerFiring,
  type DecodeLayerAttentionModelInput,
  type DecodeLayerAttentionPrediction,
} from './prefetch-model.js';
export { buildDecodeLayerAttentionGraph, type DecodeLayerAttentionGraphOptions, type DecodeLayerAttentionGraph } from './decode-layer-graph.js';
export { kvPrefetch, type KvPrefetchOperatorParams, type KvPrefetchTile } from './operator.js';
export { KV_PREFETCHER_PLUGINS, kvPrefetchFiringCosts, kvPrefetcherConformanceCases, type KvPrefetcherStageParams } from './plugins.js';
