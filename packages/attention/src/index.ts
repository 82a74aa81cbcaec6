export { DEFAULT_ATTENTION_PARAMS, resolveAttentionParams, validateAttentionShape, type AttentionHardwareParams } from './params.js';
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
