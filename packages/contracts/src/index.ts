export type { StageImplementation } from './stage.js';
export { QWEN3_1_7B_ATTENTION, ATTENTION_PORTS, type AttentionShape, type AttentionPhase, type AttentionJob, type AttentionQueryMeta, type AttentionQueryPayload, type AttentionOutputMeta } from './attention.js';
export { SFU_INPUT_PORTS, type SfuOpKind, type SiluVariant, type SfuTokenMeta } from './sfu.js';
export type { KvCacheLayout, KvChunkMeta, KvChunkPayload, KvWriteMeta } from './kv.js';
export * from './linear.js';
export { FP32_ADD_LATENCY_CYCLES, FP32_MUL_LATENCY_CYCLES, adderTreeFp32 } from './dsp.js';
export type { TileToken, StageTile } from './operator.js';
export {
  STAGE_KINDS,
  STAGE_CONTRACTS,
  StageRegistry,
  StageRegistryError,
  stageRegistry,
  registerStage,
  installStage,
  noteStagePluginModule,
  stagePluginModules,
  importStagePluginModules,
  schemaKeys,
  paramsSchemaFromDefaults,
  stageGraphSpecSchema,
  parseStageGraphSpec,
  applyStageSetting,
  resolveStageGraphSpec,
  type StageKind,
  type StageContract,
  type StagePlugin,
  type StageCycleModel,
  type StageInstaller,
  type StageChoice,
  type StageGraphSpec,
  type ResolvedStageChoice,
} from './stages.js';
