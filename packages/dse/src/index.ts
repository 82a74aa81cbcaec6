export { AXES, AXIS_NAMES, GRID_MODELS, GridSchema, MAX_GRID_POINTS, RESULT_SCHEMA_VERSION, canonicalJson, expandGrid, modelOf, parseGrid, pointHash, resolvePoint, type AxisName, type AxisValue, type Grid, type PointSpec, type SweepRequest } from './grid.js';
export { estimateOnChip, ON_CHIP_NOT_MODELLED, V80_DSP58, type OnChipEstimate } from './resources.js';
export { dominates, paretoFront, type Objectives } from './pareto.js';
export { evaluatePoint, evaluatePrepared, preparePoint, type PointResult, type PreparedPoint } from './evaluate.js';
export { ACCURACY_CALIBRATION, ACCURACY_PROXY_NOTE, accuracyProxy, type AccuracyCalibration, type AccuracyProxy, type AccuracyVq } from './accuracy.js';
export { TIMING_FIELDS, evaluateTimingGroup, retimeKey, timingGroups, type PointTiming, type ReadyPoint } from './retime-group.js';
export { distinctPoints, markPareto, runSweepLocal, sweepCsv, type SweepProgress, type SweepRow } from './sweep.js';
export { resultsKey, SWEEP_QUEUE_NAME, runSweepOnQueue, startQueueWorker, type QueueConnection, type QueueWorkerOptions } from './queue.js';
