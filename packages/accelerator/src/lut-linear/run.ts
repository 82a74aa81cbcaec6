import { LINEAR_VARIANTS, type LinearShape, type LinearVariant, type OutputTileTokenMeta } from '@lut-llm/contracts';
import { runGraph, type Bottleneck, type RunResult, type RunSummary, type TraceEvent } from '@lut-llm/core';
import { bandwidthGBps, type HbmStream } from '@lut-llm/memory';
import { buildLutLinearGraph, LUT_LINEAR_ACTORS, type LutLinearGraph } from './graph.js';
import type { LutLinearOptions } from './options.js';
import { lutLinearAssumptions, type LutLinearAssumptions } from './assumptions.js';

/** Use of one HBM stream over the run. */
export interface HbmStreamUse {
  readonly stream: HbmStream;
  readonly resource: string;
  readonly channels: number;
  readonly bytes: number;
  readonly peakBytesPerCycle: number;
  /** bytes / run cycles. */
  readonly achievedBytesPerCycle: number;
  /** achieved / peak. */
  readonly utilisation: number;
  readonly peakGBps: number;
  readonly achievedGBps: number;
}

/** One actor's cycle accounting (from the run summary). */
export interface StageUse {
  readonly actor: string;
  readonly firings: number;
  readonly utilisation: number;
  readonly busyCycles: number;
  readonly stalledEmptyCycles: number;
  readonly stalledFullCycles: number;
  readonly stalledContentionCycles: number;
  readonly idleCycles: number;
}

export interface LutLinearReport {
  readonly variant: LinearVariant;
  /** What the variant's PSum stage assumes (label, DSPs, table storage): printed beside its cycles. */
  readonly assumptions: LutLinearAssumptions;
  readonly mode: 'timing' | 'functional';
  readonly shape: LinearShape;
  readonly blocks: number;
  readonly tilesPerBlock: number;
  readonly cycles: number;
  readonly clockMhz: number;
  /** cycles / clock. */
  readonly timeUs: number;
  /** Every HBM stream the variant uses. */
  readonly hbm: readonly HbmStreamUse[];
  /** The weight stream (tables and indices): the decode bottleneck. */
  readonly weights: HbmStreamUse;
  /** Per actor, in graph order. */
  readonly stages: readonly StageUse[];
  /** The most limiting actor or resource (summary.bottlenecks[0]). */
  readonly bottleneck: Bottleneck;
  readonly summary: RunSummary;
  /** y [T][M] (functional mode). */
  readonly output: Float32Array | undefined;
  /** Trace events (trace: 'full'). */
  readonly events: readonly TraceEvent[];
  /** Wall time of the emulation (build + run), milliseconds; never part of a result. */
  readonly wallMs: number;
}

/** Builds and runs one LUTLinear op (kernels inline on this thread); see `LutLinearOptions`. */
export function runLutLinear(opts: LutLinearOptions): LutLinearReport {
  const t0 = performance.now();
  const built = buildLutLinearGraph(opts);
  const res = runGraph(built.graph, { mode: built.config.mode, trace: built.config.trace });
  return reportOf(built, res, t0);
}

function reportOf(built: LutLinearGraph, res: RunResult, t0: number): LutLinearReport {
  const { config: cfg, plan } = built;
  const cycles = res.cycles;
  const hbm: HbmStreamUse[] = [];
  for (const [stream, resource] of Object.entries(built.hbmResources) as [HbmStream, string][]) {
    const r = res.summary.resources.find((x) => x.resource === resource)!;
    const achieved = cycles > 0 ? r.unitsServed / cycles : 0;
    hbm.push({
      stream,
      resource,
      channels: cfg.hbm.channels[stream],
      bytes: r.unitsServed,
      peakBytesPerCycle: r.unitsPerCycle,
      achievedBytesPerCycle: achieved,
      utilisation: achieved / r.unitsPerCycle,
      peakGBps: bandwidthGBps(r.unitsPerCycle, cfg.clockMhz),
      achievedGBps: bandwidthGBps(achieved, cfg.clockMhz),
    });
  }
  let output: Float32Array | undefined;
  if (cfg.mode === 'functional') {
    const M = cfg.shape.outFeatures;
    const T = cfg.shape.tokens;
    output = new Float32Array(T * M);
    for (const tok of res.sinks[LUT_LINEAR_ACTORS.outputWriter] ?? []) {
      const m = tok.meta as OutputTileTokenMeta;
      const y = (tok.payload as { y: Float32Array }).y;
      const w = m.outEnd - m.outStart;
      for (let t = 0; t < T; t++) output.set(y.subarray(t * w, (t + 1) * w), t * M + m.outStart);
    }
  }
  return {
    variant: cfg.variant,
    assumptions: lutLinearAssumptions(cfg),
    mode: cfg.mode,
    shape: cfg.shape,
    blocks: plan.blocks,
    tilesPerBlock: plan.tilesPerBlock,
    cycles,
    clockMhz: cfg.clockMhz,
    timeUs: cycles / cfg.clockMhz,
    hbm,
    weights: hbm.find((h) => h.stream === 'weights')!,
    stages: res.summary.actors.map((a) => ({
      actor: a.actor,
      firings: a.firings,
      utilisation: a.utilisation,
      busyCycles: a.busyCycles,
      stalledEmptyCycles: a.stalledEmptyCycles,
      stalledFullCycles: a.stalledFullCycles,
      stalledContentionCycles: a.stalledContentionCycles,
      idleCycles: a.idleCycles,
    })),
    bottleneck: res.summary.bottlenecks[0]!,
    summary: res.summary,
    output,
    events: res.events,
    wallMs: performance.now() - t0,
  };
}

/**
 * Columns of a variant comparison: the three variants as the paper compares them, and the
 * T-MAC-style LUT weight-only as a named alternate ('weight-only-lut' = variant 'weight-only' with
 * weightOnlyImplementation 'online-table').
 */
export const LINEAR_COMPARISON_COLUMNS = Object.freeze([...LINEAR_VARIANTS, 'weight-only-lut'] as const);
export type LinearComparisonColumn = (typeof LINEAR_COMPARISON_COLUMNS)[number];

/** Runs the same op in several variants (default the three and the LUT weight-only alternate), for `formatLutLinearComparison`. */
export function compareLutLinearVariants(opts: Omit<LutLinearOptions, 'variant'>, variants: readonly LinearComparisonColumn[] = LINEAR_COMPARISON_COLUMNS): LutLinearReport[] {
  return variants.map((c) =>
    c === 'weight-only-lut' ? runLutLinear({ ...opts, variant: 'weight-only', weightOnlyImplementation: 'online-table' }) : runLutLinear({ ...opts, variant: c }),
  );
}
