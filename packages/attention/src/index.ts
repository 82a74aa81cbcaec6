export { DEFAULT_ATTENTION_PARAMS, ATTENTION_IMPLEMENTATIONS, resolveAttentionParams, validateAttentionShape, type AttentionHardwareParams, type AttentionImplementation } from './params.js';
export {
  asBuiltAttentionCycles,
  AS_BUILT_VECTOR_LANES,
  AS_BUILT_REDUCTION_TRIPS,
  AS_BUILT_LOAD_DEPTH_CYCLES,
  AS_BUILT_BRAM_READ_CYCLES,
  type AsBuiltAttentionCycles,
} from './as-built.js';
export { emptySoftmaxState, cloneSoftmaxState, mergeSoftmaxStates, finalizeSoftmaxState, type SoftmaxState } from './softmax-state.js';
export { dotFp32Tree } from './dot.js';
export { checkKvBlock, checkQueries, type KvBlock } from './kv-block.js';
export { attendBlockOnline, type OnlineBlockOptions } from './flash-attention.js';
export { attendChunkPartial } from './flash-decoding.js';
export {
  historyChunks,
  validateAttentionJob,
  beginAttentionJob,
  attendHistoryChunk,
  finishAttentionJob,
  attentionJobFp32,
  flashAttentionPrefill,
  flashDecode,
  type HistoryChunk,
  type AttentionCarry,
  type OnlineCarry,
  type SplitKCarry,
} from './job.js';
export {
  attentionBlockCycles,
  attentionPipelineFillCycles,
  splitKReductionCycles,
  normalizationCycles,
  attentionTailCycles,
  attentionFiringCosts,
  attentionJobCycles,
  kvBytesPerPosition,
  attentionKvHistoryBytes,
  attentionKvReadCycles,
  type AttentionAlgorithm,
  type AttentionBlock,
  type BlockCycles,
  type AttentionFiringCost,
} from './cycle-model.js';
export {
  attentionActor,
  attentionSchedule,
  attentionHasHistory,
  attentionPortWidths,
  invokeAttention,
  flashAttentionStage,
  DEFAULT_ATTENTION_STAGE_PARAMS,
  type AttentionStageParams,
  type AttentionFiring,
} from './actor.js';
export { attention, type AttentionInput, type AttentionTile } from './operator.js';
export { ATTENTION_PLUGINS } from './plugins.js';
export { attentionConformanceCases } from './conformance-cases.js';
