/** GPU baselines, the energy model and the analytical LUT-LLM model (issue 6). */
export { A100_80GB_SXM, GPU_BASELINES, MI210, type GpuBaselineName, type GpuSpec } from './gpu-specs.js';
export { energyPerToken, tokensPerJoule } from './energy.js';
export { checkRequest, latencyEstimate, sumDecodeSteps, type LatencyEstimate } from './latency-estimate.js';
export {
  attendedKeys,
  attentionMacsPerLayer,
  chunkedHistoryReads,
  kvElementsPerTokenPerLayer,
  layerLinearWeights,
  lmHeadWeights,
  normWeights,
} from './workload.js';
export {
  GPU_NORM_BYTES_PER_PARAM,
  GPU_ROOFLINE_NOTE,
  gpuLinearPeakOpsPerSecond,
  gpuPassRoofline,
  gpuRoofline,
  resolveGpuRooflineOptions,
  type GpuLinearPrecision,
  type GpuRooflineEstimate,
  type GpuRooflineOptions,
  type ResolvedGpuRooflineOptions,
  type RooflinePhase,
} from './gpu-roofline.js';
export { LUT_LLM_ANALYTICAL_DEFAULTS, analyticalParams, type LutLlmAnalyticalParams } from './lut-llm-params.js';
export {
  ANALYTICAL_NOTE,
  analyticalDecodeCycles,
  analyticalLatency,
  analyticalPrefillCycles,
  type AnalyticalBreakdown,
  type AnalyticalOp,
  type AnalyticalOpName,
} from './analytical.js';
export {
  layerRooflinePoints,
  type LayerRooflineOptions,
  type LayerRooflineRow,
  type RooflineOpName,
  type RooflinePoint,
} from './roofline-points.js';
export {
  GPU_FREE_PARAMETERS,
  GPU_LATENCY_DEFAULTS,
  GPU_WEIGHT_FORMATS,
  checkGpuLatencyParams,
  gemmShapeEfficiency,
  gpuDecodeSeconds,
  gpuLatency,
  gpuPassKernels,
  timeGpuPass,
  weightBytesPerParam,
  type GpuKernel,
  type GpuKernelKind,
  type GpuLatencyEstimate,
  type GpuLatencyOptions,
  type GpuLatencyParams,
  type GpuPassLatency,
  type GpuWeightFormat,
  type TimedGpuKernel,
} from './gpu-latency.js';
export {
  GPU_MIN_MEASUREMENTS,
  GpuCalibrationError,
  calibrateGpuLatency,
  gpuRequestMs,
  parseGpuMeasurements,
  type GpuCalibration,
  type GpuCalibrationResidual,
  type GpuMeasuredPoint,
  type GpuMeasurements,
} from './gpu-calibration.js';
export {
  FP16_DSP_DEFAULTS,
  fp16DspDecodeCycles,
  fp16DspLatency,
  fp16DspLinearOp,
  fp16DspPrefillCycles,
  linearCyclesOf,
  prefillSweep,
  sweepLengths,
  type Fp16DspParams,
  type PrefillSweepPoint,
} from './fp16-dsp.js';
export { formatAnalyticalBreakdown, formatComparison, formatNumber, formatRooflinePoints, type ComparisonRow } from './format.js';
