/**
 * @lut-llm/centroid-search — the centroid-search stage of LUTLinear (DESIGN.md 1.2, stage 1):
 * the bandwidth-aware parallel centroid search unit (BPCSU) and two naive alternates, with the
 * cycle model they implement and a kernel that returns exactly vq's activation indices.
 */
export {
  DEFAULT_BPCSU_PARAMS,
  FP32_SUB_LATENCY_CYCLES,
  FP32_MUL_LATENCY_CYCLES,
  COMPARE_SELECT_LATENCY_CYCLES,
  CentroidSearchError,
  defaultDpeLatencyCycles,
  resolveBpcsuParams,
  type BpcsuParams,
} from './params.js';
export {
  bpcsuTopology,
  bpcsuLatencyCycles,
  bpcsuReloadCycles,
  bpcsuBlockCycles,
  bpcsuResources,
  fanoutStages,
  ceilLog2,
  type BpcsuTopology,
  type BpcsuResources,
} from './cycle-model.js';
export { bpcsuSearch, centroidSearchKernel, type BpcsuKernelConfig } from './kernel.js';
export {
  bpcsuStage,
  singleChainStage,
  fullTreeStage,
  centroidSearchActor,
  CENTROID_SEARCH_IMPLEMENTATIONS,
  type CentroidSearchImplementation,
  type CentroidSearchStage,
} from './stage.js';
export { centroidSearch, type CentroidSearchInput, type CentroidSearchTile } from './operator.js';
export {
  centroidSearchParamsSchema,
  centroidSearchCycleModel,
  centroidSearchPlugin,
  centroidSearchConformanceCases,
  centroidSearchStageOf,
  bpcsuPlugin,
  singleChainPlugin,
  fullTreePlugin,
} from './plugins.js';
