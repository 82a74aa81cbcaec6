export {
  REPORT_FORMAT,
  REPORT_VERSION,
  STALL_STATES,
  TIMELINE_STATES,
  ReportFormatError,
  parseReport,
  checkReport,
  reportSchema,
  type StallState,
  type TimelineState,
  type ActorNode,
  type FifoNode,
  type ResourceNode,
  type Cause,
  type ActorTotals,
  type TimelineLevel,
  type Timeline,
  type Counters,
  type ReportBottleneck,
  type PassTrace,
  type TraceReport,
  type RooflineRow,
  type ComparisonRow,
} from './schema.js';
export { PassAggregator, type AggregatorOptions } from './aggregate.js';
export { rankGroups, SATURATED_SHARE, type RankInput } from './explain.js';
export { tracePass, type TracedPass, type TracePassOptions } from './source.js';
export { buildReport } from './report.js';
export { passToPerfetto } from './perfetto.js';
export { DoublingWindows, coarsen } from './windows.js';
