export { KV_BUFFER_FIFO } from './pass-attention.js';
export { buildPassGraph, checkPassPlatform, PASS_STAGES, lutLinearOptionsFor, LAYER_OPS, type PassOptions, type PassGraph, type PassData } from './pass-graph.js';
export {
  runPassTiming,
  runPassTiming$,
  type PassEvent,
  runPassFunctional,
  runInference,
  planInference,
  decodeSampleSteps,
  builtLimitViolations,
  unitOf,
  type UnitUse,
  type PassReport,
  type PassOutputs,
  type InferenceOptions,
  type InferenceReport,
  type InferencePlan,
  type PassTask,
} from './run.js';
export { runFunctionalInference, compareLogits, type FunctionalInferenceOptions, type FunctionalInferenceResult, type LogitsAgreement } from './functional.js';
export { synthesizeQuantizedQwen3, shareQuantizedLinear, SyntheticNormWeights } from './synthetic.js';
export { compareAttentionUnits, type AttentionUnitComparison } from './attention-units.js';
export { applyStageSpec, platformStageImplementations, REFERENCE_STAGE_IMPLEMENTATIONS, STAGE_IMPLEMENTATION_KEY, STAGE_PLUGIN_KEY, NATIVE_STAGE_IMPLEMENTATIONS, type AppliedStageSpec } from './stage-spec.js';
export { PassLanes, threadCpuMs, type LaneStats, type PassLanesOptions } from './pass-lanes.js';
export { PassPool, runRequestsOnLanes, runOnPool, defaultPassWorkers, compiledSibling, secondLanePays, WORKER_STARTUP_CPU_MS, type FirstPassCost, type PassPoolOptions, type PooledInferenceOptions } from './pass-pool.js';
export { estimateOnChip, estimateLinearOnChip, isStageStateFifo, onChipBudget, onChipSummary, physicalFifos, ON_CHIP_NOT_MODELLED, STREAM_WORD_BYTES, streamFifoMemory, V80_DSP58, type OnChipEstimate } from './on-chip.js';
export { runInference$, runInferencePooled, type InferenceEvent } from './run-observable.js';
export { classOrder, defaultSizingThreads, SIZING_DEFAULT_THREADS_MAX, SIZING_THREADED_FIRINGS, sizeFifosThreaded, type ThreadedSizing, type ThreadedSizingOptions } from './fifo-size-threads.js';
