// One timing pass: build its graph, run it, report. Kept apart from run.ts (requests, the
// Observable form, functional passes) so that a pass-lane worker loads only what a timing pass
// needs: no rxjs Observable wrappers, no functional stream, no baselines.
import { runGraph, type ResourceSummary, type RunResult, type RunSummary, type TraceEvent } from '@lut-llm/core';
import { bandwidthGBps } from '@lut-llm/memory';
import type { PlatformConfig } from '../platform/index.js';
import { buildPassGraph, LAYER_START_PROBE, LM_HEAD_START_PROBE, type PassOptions } from './pass-graph.js';

/** Cycle accounting of one hardware unit (all instances of a stage kind, e.g. every RMSNorm). */
export interface UnitUse {
  readonly unit: string;
  readonly instances: number;
  readonly firings: number;
  readonly busyCycles: number;
  readonly stalledEmptyCycles: number;
  readonly stalledFullCycles: number;
  readonly stalledContentionCycles: number;
  /** busyCycles / pass cycles (instances of one unit run one after another, so this is the unit's share). */
  readonly utilisation: number;
}

export interface PassReport {
  readonly phase: 'prefill' | 'decode';
  readonly tokens: number;
  readonly history: number;
  readonly cycles: number;
  readonly ms: number;
  readonly units: readonly UnitUse[];
  readonly resources: readonly ResourceSummary[];
  /** Most limiting unit or resource, and why. */
  readonly bottleneck: { readonly name: string; readonly utilisation: number; readonly why: string };
  /** Bytes of tables, indices, centroids and scales streamed, and the achieved rate of the weight channels. */
  readonly weightBytes: number;
  readonly weightGBps: number;
  readonly weightPeakGBps: number;
  /**
   * Cycles of each emulated decoder layer: from the layer taking its input to the next layer (the
   * last: to the LM head taking its token, so it includes the final RMSNorm). Layers overlap only
   * where the next layer's first stage starts before the previous one's last finishes.
   */
  readonly layerCycles: readonly number[];
  /** Cycles before layer 0 takes its input (the embedding read). */
  readonly embeddingCycles: number;
  /** Cycles from the last token entering the LM head to the end of the pass (LM head + logits write). */
  readonly lmHeadCycles: number;
  readonly summary: RunSummary;
  readonly events: readonly TraceEvent[];
  /** Emulation wall time (build + run), ms: never part of a result. */
  readonly wallMs: number;
}

/** Unit (hardware block) of an actor name of the pass graph. */
export function unitOf(actor: string): string {
  const a = actor.replace(/^L\d+\./, '');
  const m = /^(qkv|o|gate_up|down|lm_head)\.(.+)$/.exec(a);
  if (m) {
    const stage = m[2]!.replace(/^input-reader$/, 'input-splitter').replace(/^output-writer$/, 'output-collector');
    return `lut-linear/${stage}`;
  }
  if (/^(attn-norm|ffn-norm|final-norm)$/.test(a)) return 'sfu/rms-norm';
  if (/^[qk]-norm$/.test(a)) return 'sfu/qk-norm';
  if (/^[qk]-rope$/.test(a)) return 'sfu/rope';
  if (/^residual[12]$/.test(a)) return 'sfu/residual-add';
  if (a === 'swiglu') return 'sfu/swiglu';
  if (a === 'attention') return 'attention';
  if (a === 'kv-prefetcher') return 'kv-prefetcher';
  if (a === 'kv-writer') return 'kv-writer';
  if (a === 'embedding' || a === 'logits-writer') return 'host-io';
  return 'glue';
}

/** Per-layer and LM-head cycles from the marker sinks of the pass graph (see LAYER_START_PROBE). */
function layerSpans(res: RunResult, layers: number): Pick<PassReport, 'layerCycles' | 'embeddingCycles' | 'lmHeadCycles'> {
  const at = (name: string): number => {
    const tok = res.sinks[name]?.[0];
    if (!tok) throw new Error(`pass: marker '${name}' received no token`);
    return tok.readyCycle;
  };
  const starts = Array.from({ length: layers }, (_, l) => at(`L${l}.${LAYER_START_PROBE}`));
  const head = at(LM_HEAD_START_PROBE);
  return {
    layerCycles: starts.map((s, l) => (l + 1 < layers ? starts[l + 1]! : head) - s),
    embeddingCycles: starts[0] ?? head,
    lmHeadCycles: res.cycles - head,
  };
}

export function passReport(opts: PassOptions, res: RunResult, t0: number, hbmWeights: string, platform: PlatformConfig, layers: number): PassReport {
  const cycles = res.cycles;
  const byUnit = new Map<string, { instances: number; firings: number; busy: number; se: number; sf: number; sc: number; rb: number }>();
  for (const a of res.summary.actors) {
    const u = unitOf(a.actor);
    const e = byUnit.get(u) ?? { instances: 0, firings: 0, busy: 0, se: 0, sf: 0, sc: 0, rb: 0 };
    e.instances++;
    e.firings += a.firings;
    e.busy += a.busyCycles;
    e.se += a.stalledEmptyCycles;
    e.sf += a.stalledFullCycles;
    e.sc += a.stalledContentionCycles;
    e.rb += a.resourceBoundCycles;
    byUnit.set(u, e);
  }
  const units: UnitUse[] = [...byUnit.entries()]
    .map(([unit, e]) => ({
      unit,
      instances: e.instances,
      firings: e.firings,
      busyCycles: e.busy,
      stalledEmptyCycles: e.se,
      stalledFullCycles: e.sf,
      stalledContentionCycles: e.sc,
      utilisation: cycles > 0 ? e.busy / cycles : 0,
    }))
    .sort((x, y) => y.utilisation - x.utilisation || (x.unit < y.unit ? -1 : 1));
  // Rank: a resource by the cycles it served, a unit by its own busy cycles (memory-bound time
  // is charged to the resource), as core's ranking does for actors.
  // Counts with thousands separators, as every other count the CLI prints.
  const n = (x: number) => x.toLocaleString('en-US');
  const candidates = [
    ...res.summary.resources.map((r) => ({ name: r.resource, utilisation: cycles > 0 ? r.busyCycles / cycles : 0, why: `busy in ${n(r.busyCycles)} of ${n(cycles)} cycles (${n(r.unitsServed)} ${r.unit})` })),
    ...[...byUnit.entries()].map(([unit, e]) => ({
      name: unit,
      utilisation: cycles > 0 ? (e.busy - e.rb + e.sc) / cycles : 0,
      why: `busy ${n(e.busy - e.rb)} of ${n(cycles)} cycles on its own work over ${e.instances} instance(s)`,
    })),
  ].sort((x, y) => y.utilisation - x.utilisation);
  const w = res.summary.resources.find((r) => r.resource === hbmWeights);
  const weightBytes = w?.unitsServed ?? 0;
  return {
    phase: opts.phase,
    tokens: opts.tokens,
    history: opts.history,
    cycles,
    ms: cycles / (platform.clockMhz * 1e3),
    units,
    resources: res.summary.resources,
    bottleneck: candidates[0]!,
    weightBytes,
    weightGBps: cycles > 0 ? bandwidthGBps(weightBytes / cycles, platform.clockMhz) : 0,
    weightPeakGBps: w ? bandwidthGBps(w.unitsPerCycle, platform.clockMhz) : 0,
    ...layerSpans(res, layers),
    summary: res.summary,
    events: res.events,
    wallMs: performance.now() - t0,
  };
}

/** Emulates one pass in timing mode. */
export function runPassTiming(opts: Omit<PassOptions, 'functional'>, run: { readonly trace?: boolean } = {}): PassReport {
  const t0 = performance.now();
  const pg = buildPassGraph(opts);
  const res = runGraph(pg.graph, { collectSinks: true, trace: run.trace ? 'full' : 'summary' });
  return passReport(opts, res, t0, pg.hbmResources.weights!, opts.platform, pg.layers);
}

