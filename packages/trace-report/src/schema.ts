import { z } from 'zod';

/** Identifies the file kind: a report without it is foreign (some other JSON). */
export const REPORT_FORMAT = 'lut-llm-trace-report';
/**
 * Version of the report layout. Bump it when a field changes meaning or shape; readers refuse
 * newer versions by name instead of drawing a wrong picture.
 */
export const REPORT_VERSION = 1;

/** The causes an actor's non-busy, non-idle cycles are charged to (HLS/TAPA stream semantics). */
export const STALL_STATES = ['starved', 'blocked', 'contention'] as const;
export type StallState = (typeof STALL_STATES)[number];
/** States of the timeline, in drawing order; idle is what is left of a window. */
export const TIMELINE_STATES = ['busy', 'starved', 'blocked', 'contention'] as const;
export type TimelineState = (typeof TIMELINE_STATES)[number];

const count = z.number().int().nonnegative();
const cycles = z.number().nonnegative();

export const actorNodeSchema = z.object({
  name: z.string(),
  /** Row of the timeline and node of the grouped task graph (e.g. the hardware unit). */
  group: z.string(),
  inputs: z.array(z.string()),
  outputs: z.array(z.string()),
});

export const fifoNodeSchema = z.object({
  name: z.string(),
  depth: count,
  widthBytes: z.number().nonnegative(),
  producer: z.string(),
  consumer: z.string(),
  tokens: count,
  peakOccupancy: count,
  /** Cycles its producer was blocked because it was full. */
  fullStallCycles: cycles,
  /** Cycles its consumer was starved because it was empty. */
  emptyStallCycles: cycles,
});

export const resourceNodeSchema = z.object({
  name: z.string(),
  /** Node of the grouped task graph (e.g. every layer's LUT bank as one). */
  group: z.string(),
  unit: z.string(),
  unitsPerCycle: z.number().positive(),
  unitsServed: z.number().nonnegative(),
  busyCycles: cycles,
  contentionCycles: cycles,
  /** Actors it served. */
  users: z.array(z.string()),
});

export const causeSchema = z.object({
  state: z.enum(STALL_STATES),
  /** The FIFO (starved: empty; blocked: full) or the shared resource (contention). */
  on: z.string(),
  /** Contention: the actor served before it. */
  heldBy: z.string().optional(),
  cycles,
});

/** One actor's cycles: busy + the causes' cycles + idle = the pass's cycles. */
export const actorTotalsSchema = z.object({
  actor: z.string(),
  group: z.string(),
  firings: count,
  busy: cycles,
  idle: cycles,
  causes: z.array(causeSchema),
});

/** Actor states of each group summed per window: arrays of groups x windows, group-major. */
export const timelineLevelSchema = z.object({
  windowCycles: z.number().int().positive(),
  windows: count,
  busy: z.array(z.number()),
  starved: z.array(z.number()),
  blocked: z.array(z.number()),
  contention: z.array(z.number()),
});

export const timelineSchema = z.object({
  groups: z.array(z.string()),
  /** Actors per group: a window of W cycles holds actors x W actor-cycles; the rest is idle. */
  groupActors: z.array(count),
  /** Finest first; each coarser level merges windows of the one before. */
  levels: z.array(timelineLevelSchema).min(1),
});

export const countersSchema = z.object({
  windowCycles: z.number().int().positive(),
  windows: count,
  /** Peak occupancy of the FIFO in each window. */
  fifos: z.array(z.object({ name: z.string(), depth: count, peak: z.array(z.number()) })),
  /** Units served per window (bytes for HBM streams). */
  resources: z.array(z.object({ name: z.string(), unit: z.string(), unitsPerCycle: z.number(), served: z.array(z.number()) })),
});

export const bottleneckSchema = z.object({
  kind: z.enum(['group', 'resource']),
  name: z.string(),
  /** Fraction of the pass it limited progress (see explain.ts for the measure). */
  share: z.number(),
  /** Short numeric reason. */
  why: z.string(),
  /** What it means and what would move it, in words. */
  explanation: z.string(),
});

export const passTraceSchema = z.object({
  label: z.string(),
  phase: z.string().optional(),
  tokens: z.number().optional(),
  history: z.number().optional(),
  cycles,
  /** A snapshot of a pass still running (live mode): totals cover cycles 0..cycles so far. */
  partial: z.boolean(),
  graph: z.object({
    name: z.string(),
    actors: z.array(actorNodeSchema),
    fifos: z.array(fifoNodeSchema),
    resources: z.array(resourceNodeSchema),
  }),
  totals: z.array(actorTotalsSchema),
  timeline: timelineSchema,
  counters: countersSchema,
  bottlenecks: z.array(bottleneckSchema),
  /** Trace events aggregated (for the record of how big the raw trace was). */
  events: count,
});

const rooflinePointSchema = z.object({
  system: z.string(),
  opUnit: z.string(),
  ops: z.number(),
  bytes: z.number(),
  intensityOpsPerByte: z.number().nullable(),
  peakOpsPerSecond: z.number(),
  bandwidthBytesPerSecond: z.number(),
  attainableOpsPerSecond: z.number(),
  bound: z.enum(['memory', 'compute']),
  seconds: z.number(),
});

export const reportSchema = z.object({
  format: z.literal(REPORT_FORMAT),
  version: z.literal(REPORT_VERSION),
  title: z.string(),
  /** What was run (model, platform, variant, lengths...), as given. */
  config: z.record(z.string(), z.unknown()),
  clockMhz: z.number().positive(),
  passes: z.array(passTraceSchema),
  /** Per-op roofline points of LUT-LLM and a GPU (accelerator's layerRooflinePoints). */
  roofline: z.array(z.object({ phase: z.string(), op: z.string(), gpu: rooflinePointSchema, lutLlm: rooflinePointSchema })),
  /** Whole-request figures: the emulated LUT-LLM and the GPU rooflines. */
  comparison: z.array(
    z.object({
      system: z.string(),
      method: z.string(),
      ttftMs: z.number(),
      decodeMsPerToken: z.number().nullable(),
      tokensPerSecond: z.number(),
      tokensPerJoule: z.number().nullable(),
      boardWatts: z.number(),
    }),
  ),
});

export type ActorNode = z.infer<typeof actorNodeSchema>;
export type FifoNode = z.infer<typeof fifoNodeSchema>;
export type ResourceNode = z.infer<typeof resourceNodeSchema>;
export type Cause = z.infer<typeof causeSchema>;
export type ActorTotals = z.infer<typeof actorTotalsSchema>;
export type TimelineLevel = z.infer<typeof timelineLevelSchema>;
export type Timeline = z.infer<typeof timelineSchema>;
export type Counters = z.infer<typeof countersSchema>;
export type ReportBottleneck = z.infer<typeof bottleneckSchema>;
export type PassTrace = z.infer<typeof passTraceSchema>;
export type TraceReport = z.infer<typeof reportSchema>;
export type RooflineRow = TraceReport['roofline'][number];
export type ComparisonRow = TraceReport['comparison'][number];

/** A file that is not a readable report of this version; the message names what is wrong. */
export class ReportFormatError extends Error {
  override readonly name = 'ReportFormatError';
}

/**
 * Parses and validates a report from its text. Throws a ReportFormatError saying whether the
 * file is truncated (not complete JSON), foreign (not a lut-llm trace report), from a newer
 * version than this reader, or which field is malformed.
 */
export function parseReport(text: string): TraceReport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const trimmed = text.trimEnd();
    const truncated = trimmed.length === 0 || !/[}\]]$/.test(trimmed);
    throw new ReportFormatError(
      truncated
        ? `the file is truncated or empty: it is not complete JSON (${text.length.toLocaleString('en-US')} characters read; ${(e as Error).message})`
        : `the file is not JSON: ${(e as Error).message}`,
    );
  }
  return checkReport(json);
}

/** Validates parsed JSON as a report (see {@link parseReport}). */
export function checkReport(json: unknown): TraceReport {
  if (typeof json !== 'object' || json === null || Array.isArray(json) || (json as { format?: unknown }).format !== REPORT_FORMAT) {
    const hint =
      typeof json === 'object' && json !== null && 'traceEvents' in json
        ? ' (it looks like a Chrome/Perfetto trace: open it in ui.perfetto.dev; this page reads the report that `lut-llm trace` writes)'
        : '';
    throw new ReportFormatError(`not a lut-llm trace report: the "format" field is not "${REPORT_FORMAT}"${hint}`);
  }
  const v = (json as { version?: unknown }).version;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw new ReportFormatError(`the report has no integer "version" field (got ${JSON.stringify(v)})`);
  if (v > REPORT_VERSION) {
    throw new ReportFormatError(`the report is version ${v}, newer than this viewer, which reads version ${REPORT_VERSION}: use the viewer of the lut-llm that wrote it`);
  }
  if (v < REPORT_VERSION) throw new ReportFormatError(`the report is version ${v}, older than this viewer (version ${REPORT_VERSION}): write it again with \`lut-llm trace\``);
  const r = reportSchema.safeParse(json);
  if (!r.success) {
    const issues = r.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new ReportFormatError(`the report is malformed: ${issues.join('; ')}${r.error.issues.length > 3 ? ` (and ${r.error.issues.length - 3} more)` : ''}`);
  }
  return r.data;
}
