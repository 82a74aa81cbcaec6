/** Platform configuration of the emulated accelerator (DESIGN.md 1.4, issue 6). */
export {
  PlatformConfigSchema,
  type DeepPartial,
  type PlatformConfig,
  type PlatformDataFormats,
  type PlatformHbm,
  type PlatformHbmChannels,
  type PlatformOnChip,
  type PlatformVq,
  type PlatformBuiltLimits,
  type StageParamValue,
} from './schema.js';
export {
  DEFAULT_FIFO_DEPTH,
  DEFAULT_PLATFORM_PRESET,
  PLATFORM_PRESETS,
  V80_250MHZ,
  V80_BOARD_POWER_WATTS,
  V80_CLOCK_MHZ,
  V80_DATA_FORMATS,
  V80_HBM_DEVICE_PEAK_GBPS,
  V80_LATER_CLOCK_MHZ,
  V80_PLATFORM,
  V80_INT4_250,
  V80_INT8_227,
  V80_BUILT_LIMITS,
  type PlatformPresetName,
} from './presets.js';
export { loadPlatformConfig, parsePlatformConfig, type LoadPlatformOptions, type PlatformOverrides } from './load.js';
export { PlatformConfigError, type PlatformConfigIssue } from './config-error.js';
export {
  PLATFORM_HBM_STREAMS,
  cyclesToSeconds,
  peakWeightBandwidthGBps,
  planBandwidthGBps,
  streamBytesPerCycle,
  kvChannelBytesPerCycle,
  streamGBps,
  type PlatformHbmStream,
} from './bandwidth.js';
export { describePlatform } from './describe.js';
export { fifoDepth } from './fifo-depth.js';
export { stageNumber, stageOverrides, DEFAULT_PREFILL_CHUNK_TOKENS, prefillChunkTokensOf } from './stage-params.js';
export { platformHbmConfig, platformChannelBytesPerCycle, platformOnChipBudget, platformVqConfig } from './package-configs.js';
export { lutLinearStream, lutTableBytes, vqBitsPerWeight, type LutLinearStream, type VqBitsPerWeight } from './vq-storage.js';
export { modelHbmLayout, type ModelHbmLayout } from './hbm-layout.js';
export { checkFeasibility, checkLinearFeasibility, type ChannelGroupUse, type Feasibility } from './feasibility.js';
