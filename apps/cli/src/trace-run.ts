import {
  GPU_BASELINES,
  buildPassGraph,
  gpuRoofline,
  layerRooflinePoints,
  prefillChunkTokensOf,
  runPassTiming,
  unitOf,
  type LinearVariant,
  type PlatformConfig,
  type RooflinePoint,
} from '@lut-llm/accelerator';
import type { Qwen3Config } from '@lut-llm/model';
import { buildReport, tracePass, type ComparisonRow, type PassTrace, type RooflineRow, type TraceReport } from '@lut-llm/trace-report';

/** Grouped-graph node of a pass resource: every layer's and op's copy of a LUT bank is one node. */
export function resourceUnitOf(resource: string): string {
  const r = resource.replace(/^L\d+\./, '');
  const m = /^(qkv|o|gate_up|down|lm_head)\.(.+)$/.exec(r);
  return m ? `lut-linear/${m[2]}` : r;
}

/** A request to trace: which passes of it, on which platform. */
export interface TraceRequest {
  readonly model: Qwen3Config;
  readonly platform: PlatformConfig;
  readonly variant: LinearVariant;
  readonly prompt: number;
  readonly output: number;
  readonly prefillChunk?: number;
  readonly layers?: number;
  readonly prefetch: boolean;
  /** Passes traced: the first prefill chunk and/or the first decode step. */
  readonly passes: readonly ('prefill' | 'decode')[];
  /** Platform as the user named it (preset or file), for the report's config. */
  readonly platformName?: string;
}

export interface TraceHooks {
  /** The report before any pass ran (graph-free: roofline only), for live pages. */
  readonly onStart?: (report: TraceReport) => void;
  readonly onSnapshot?: (index: number, pass: PassTrace) => void;
  readonly onPass?: (index: number, pass: PassTrace) => void;
  readonly snapshotEvery?: number;
}

interface PlannedPass {
  readonly label: string;
  readonly phase: 'prefill' | 'decode';
  readonly tokens: number;
  readonly history: number;
}

/** The passes of a trace request, in run order. */
export function planTracePasses(r: TraceRequest): PlannedPass[] {
  const chunk = r.prefillChunk ?? prefillChunkTokensOf(r.platform);
  const out: PlannedPass[] = [];
  if (r.passes.includes('prefill')) {
    const tokens = Math.min(chunk, r.prompt);
    out.push({ label: `prefill chunk 1 (${tokens} tokens at position 0)`, phase: 'prefill', tokens, history: 0 });
  }
  if (r.passes.includes('decode')) {
    if (r.output < 2) throw new RangeError('tracing the decode step needs --output >= 2 (the first output token comes out of prefill)');
    out.push({ label: `decode step 1 (KV history ${r.prompt})`, phase: 'decode', tokens: 1, history: r.prompt });
  }
  return out;
}

const point = (p: RooflinePoint) => ({
  system: p.system,
  opUnit: p.opUnit,
  ops: p.ops,
  bytes: p.bytes,
  intensityOpsPerByte: Number.isFinite(p.intensityOpsPerByte) ? p.intensityOpsPerByte : null,
  peakOpsPerSecond: p.peakOpsPerSecond,
  bandwidthBytesPerSecond: p.bandwidthBytesPerSecond,
  attainableOpsPerSecond: p.attainableOpsPerSecond,
  bound: p.bound,
  seconds: p.seconds,
});

/** Per-op roofline points of LUT-LLM and each GPU baseline (the accelerator's layerRooflinePoints). */
function roofline(r: TraceRequest): RooflineRow[] {
  const rows: RooflineRow[] = [];
  for (const gpu of Object.values(GPU_BASELINES)) {
    for (const [phase, opts] of [
      ['decode', { context: r.prompt + 1 }],
      ['prefill', { tokens: r.prompt, context: r.prompt }],
    ] as const) {
      for (const row of layerRooflinePoints(gpu, r.model, r.platform, opts)) rows.push({ phase, op: row.op, gpu: point(row.gpu), lutLlm: point(row.lutLlm) });
    }
  }
  // LUT-LLM's points are the same against each GPU: keep them once per op (with the first GPU).
  return rows;
}

/**
 * Runs the request's passes with their traces streamed into report passes (bounded memory), and
 * the whole-request comparison: the emulated LUT-LLM (TTFT from every prefill chunk, each decode
 * step at the first step's cycles) next to the GPU rooflines.
 */
export function traceRequest(r: TraceRequest, hooks: TraceHooks = {}): TraceReport {
  const planned = planTracePasses(r);
  const mhz = r.platform.clockMhz;
  const config = {
    model: r.model.name,
    platform: r.platformName ?? r.platform.name,
    variant: r.variant,
    prompt: r.prompt,
    output: r.output,
    ...(r.layers !== undefined ? { layers: r.layers } : {}),
    prefillChunk: r.prefillChunk ?? prefillChunkTokensOf(r.platform),
    prefetch: r.prefetch,
  };
  const title = `${r.model.name}${r.layers !== undefined ? ` (${r.layers} layers)` : ''} on ${r.platform.name}, ${r.variant}, ${r.prompt} in / ${r.output} out`;
  const rows = roofline(r);
  hooks.onStart?.(buildReport({ title, config, clockMhz: mhz, passes: [], roofline: rows }));
  const base = { model: r.model, platform: r.platform, variant: r.variant, prefetch: r.prefetch, ...(r.layers !== undefined ? { layers: r.layers } : {}) };
  const passes: PassTrace[] = [];
  planned.forEach((p, index) => {
    const pg = buildPassGraph({ ...base, phase: p.phase, tokens: p.tokens, history: p.history });
    const { pass } = tracePass(pg.graph, {
      label: p.label,
      phase: p.phase,
      tokens: p.tokens,
      history: p.history,
      groupOf: unitOf,
      resourceGroupOf: resourceUnitOf,
      ...(hooks.onSnapshot ? { onSnapshot: (s: PassTrace) => hooks.onSnapshot!(index, s), snapshotEvery: hooks.snapshotEvery ?? 250_000 } : {}),
    });
    passes.push(pass);
    hooks.onPass?.(index, pass);
  });
  // Whole-request figures: the passes not traced run in summary mode (no trace kept).
  const chunk = r.prefillChunk ?? prefillChunkTokensOf(r.platform);
  let ttftCycles = 0;
  for (let c = 0; c * chunk < r.prompt; c++) {
    const tokens = Math.min(chunk, r.prompt - c * chunk);
    const traced = c === 0 ? passes.find((p) => p.phase === 'prefill') : undefined;
    ttftCycles += traced ? traced.cycles : runPassTiming({ ...base, phase: 'prefill', tokens, history: c * chunk }).cycles;
  }
  const steps = r.output - 1;
  const decodeCycles = steps > 0 ? (passes.find((p) => p.phase === 'decode')?.cycles ?? runPassTiming({ ...base, phase: 'decode', tokens: 1, history: r.prompt }).cycles) : NaN;
  const ttftMs = ttftCycles / (mhz * 1e3);
  const decodeMs = steps > 0 ? decodeCycles / (mhz * 1e3) : null;
  const e2eMs = ttftMs + (decodeMs ?? 0) * steps;
  const comparison: ComparisonRow[] = [
    {
      system: `LUT-LLM on ${r.platform.name}`,
      method: 'emulated (timing mode): every prefill chunk; each decode step at the first step\'s cycles',
      ttftMs,
      decodeMsPerToken: decodeMs,
      tokensPerSecond: r.output / (e2eMs / 1e3),
      tokensPerJoule: decodeMs !== null ? 1 / ((r.platform.boardPowerWatts * decodeMs) / 1e3) : null,
      boardWatts: r.platform.boardPowerWatts,
    },
    ...Object.values(GPU_BASELINES).map((g) => {
      const e = gpuRoofline(g, r.model, { promptTokens: r.prompt, outputTokens: r.output });
      return {
        system: e.system,
        method: e.method,
        ttftMs: e.ttftSeconds * 1e3,
        decodeMsPerToken: Number.isFinite(e.decodeSecondsPerToken) ? e.decodeSecondsPerToken * 1e3 : null,
        tokensPerSecond: e.tokensPerSecond,
        tokensPerJoule: Number.isFinite(e.tokensPerJoule) ? e.tokensPerJoule : null,
        boardWatts: e.boardWatts,
      };
    }),
  ];
  return buildReport({ title, config, clockMhz: mhz, passes, roofline: rows, comparison });
}
