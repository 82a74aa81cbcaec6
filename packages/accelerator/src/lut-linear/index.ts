/**
 * LUTLinear on the dataflow runtime: the graph of DESIGN.md 1.2 stages 1-4 fed by HBM, for GEMV
 * and GEMM, in the co-quantized reference design and the weight-only / activation-only variants.
 */
export { LutLinearError } from './errors.js';
export { parseLinearShape } from './shape.js';
export {
  LUT_LINEAR_FIFO_DEPTHS,
  TAPA_DEFAULT_STREAM_DEPTH,
  DEFAULT_CLOCK_MHZ,
  DEFAULT_POSITION_LANES,
  DEFAULT_OUTPUT_LANES,
  resolveLutLinearConfig,
  hbmStreamsOf,
  WEIGHT_ONLY_IMPLEMENTATIONS,
  type WeightOnlyImplementation,
  type LinearNumerics,
  type LutLinearFifoDepths,
  type LutLinearData,
  type LutLinearOptions,
  type LutLinearConfig,
} from './options.js';
export {
  ACTIVATION_ELEMENT_BYTES,
  CENTROID_ELEMENT_BYTES,
  WEIGHT_CODEBOOK_ELEMENT_BYTES,
  SCALE_BYTES_PER_GROUP,
  OUTPUT_ELEMENT_BYTES,
  weightTileBytes,
  activationTileBytes,
  centroidTileBytes,
  outputTileBytes,
  type TrafficParams,
} from './traffic.js';
export { quantizedLinearBlock, activationOnlyBlock } from './layer-views.js';
export { synthesizeLutLinearData, checkLutLinearData, lutLinearReference } from './data.js';
export { hbmReaderActor, hbmWriterActor, vectorSplitterActor, vectorCollectorActor } from './hbm-actors.js';
export { buildLutLinearGraph, installLutLinearOp, planOf, GO_TOKEN_BYTES, LUT_LINEAR_ACTORS, LUT_LINEAR_FIFOS, type LutLinearGraph, type LutLinearInstall, type LutLinearLoader } from "./graph.js";
export { runLutLinear, compareLutLinearVariants, LINEAR_COMPARISON_COLUMNS, type LinearComparisonColumn, type LutLinearReport, type HbmStreamUse, type StageUse } from './run.js';
export { formatLutLinearComparison } from './format.js';
export { INT_LANES_PER_DSP58, V80_BUILD_RESOURCES, lutLinearAssumptions, type LutLinearAssumptions } from './assumptions.js';
export { LINEAR_VARIANTS, type LinearVariant } from '@lut-llm/contracts';
