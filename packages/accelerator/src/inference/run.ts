import type { LinearVariant } from '@lut-llm/contracts';
import { Observable } from 'rxjs';
import { run$, runGraph } from '@lut-llm/core';
import { validateQwen3Config, type Qwen3Config } from '@lut-llm/model';
import { analyticalDecodeCycles } from '../baselines/index.js';
import { DEFAULT_PLATFORM_PRESET, PLATFORM_PRESETS, prefillChunkTokensOf, type PlatformConfig } from '../platform/index.js';
import { runPassStream } from '../functional/stream-pass.js';
import type { LinearTileExecutor } from '../functional/linear-pool.js';
import { buildPassGraph, type PassData, type PassOptions } from './pass-graph.js';
import { passReport, runPassTiming, type PassReport } from './pass-timing.js';

export { runPassTiming, unitOf, type PassReport, type UnitUse } from './pass-timing.js';

/** Functional outputs of a pass. */
export interface PassOutputs {
  /** Logits of the pass's last token [vocab]. */
  readonly logits: Float32Array;
  /** New K/V per layer ([T][kvHeads x headDim] each), to append to the KV cache. */
  readonly newKv: readonly { readonly layer: number; readonly positionStart: number; readonly k: Float32Array; readonly v: Float32Array }[];
}

/** What {@link runPassTiming$} emits: core `run$`'s progress after each slice, then the pass's report (last). */
export type PassEvent = { readonly kind: 'progress'; readonly cycle: number; readonly firings: number } | { readonly kind: 'report'; readonly report: PassReport };

/**
 * {@link runPassTiming} as an Observable over core's `run$`: the pass advances in slices of
 * `sliceCycles` virtual cycles with a yield between them, emitting its progress (cycle, firings)
 * after each, then its report (the same as runPassTiming's). Unsubscribing cancels the run
 * between slices.
 */
export function runPassTiming$(opts: Omit<PassOptions, 'functional'>, run: { readonly trace?: boolean; readonly sliceCycles?: number } = {}): Observable<PassEvent> {
  return new Observable<PassEvent>((subscriber) => {
    const t0 = performance.now();
    const pg = buildPassGraph(opts);
    const sub = run$(pg.graph, { collectSinks: true, trace: run.trace ? 'full' : 'summary', ...(run.sliceCycles !== undefined ? { sliceCycles: run.sliceCycles } : {}) }).subscribe({
      next: (e) => {
        if (e.kind === 'progress') subscriber.next({ kind: 'progress', cycle: e.cycle, firings: e.firings });
        else if (e.kind === 'result') subscriber.next({ kind: 'report', report: passReport(opts, e.result, t0, pg.hbmResources.weights!, opts.platform, pg.layers) });
      },
      error: (e: unknown) => subscriber.error(e),
      complete: () => subscriber.complete(),
    });
    return () => sub.unsubscribe();
  });
}

/**
 * Emulates one pass with real numbers: every stage's kernel computes (LUTLinear look-ups, SFU,
 * attention over the KV image), called inline as the actors fire. Returns the timing report
 * (identical to timing mode's) and the logits and new K/V. With `exec.linear` the numbers are
 * computed outside the engine instead (`runPassStream`: LUTLinear tiles on that executor, e.g. a
 * `LinearPool`), bit-identical, and the report comes from a timing-mode run of the pass.
 */
export async function runPassFunctional(opts: PassOptions & { readonly functional: PassData }, exec: { readonly linear?: LinearTileExecutor } = {}): Promise<PassReport & PassOutputs> {
  const t0 = performance.now();
  if (exec.linear) {
    // Issue 19: function as a stream outside the engine (LUTLinear tiles on the executor), timing
    // from a timing-mode run of the same pass: cycles never depend on values in this hardware.
    // A pool runs the timing pass on a worker, overlapping the tiles; inline it follows them.
    const { functional: _fd, ...timingOpts } = opts;
    const timing = exec.linear.timingPass?.(timingOpts);
    timing?.catch(() => {}); // awaited below; a stream failure first must not leave it unhandled
    const out = await runPassStream(opts, exec.linear);
    const report = timing ? await timing : runPassTiming(timingOpts);
    return { ...report, ...out, wallMs: performance.now() - t0 };
  }
  const pg = buildPassGraph(opts);
  const res = runGraph(pg.graph, { mode: 'functional' });
  const report = passReport(opts, res, t0, pg.hbmResources.weights!, opts.platform, pg.layers);
  const logitsTok = res.sinks['logits-writer']?.[0];
  if (!logitsTok || !(logitsTok.payload instanceof Float32Array)) throw new Error('pass: no logits came out of the LM head');
  const newKv: PassOutputs['newKv'][number][] = [];
  for (let l = 0; l < pg.layers; l++) {
    const tok = res.sinks[`L${l}.kv-writer`]?.[0];
    const p = tok?.payload as { k: Float32Array; v: Float32Array } | undefined;
    if (!tok || !p) throw new Error(`pass: layer ${l} wrote no K/V`);
    newKv.push({ layer: l, positionStart: tok.meta['positionStart'] as number, k: p.k, v: p.v });
  }
  return { ...report, logits: logitsTok.payload, newKv };
}

export interface InferenceOptions {
  readonly model: Qwen3Config;
  readonly platform?: PlatformConfig;
  readonly variant?: LinearVariant;
  /** Prompt length (tokens). Default 128. */
  readonly promptTokens?: number;
  /** Tokens generated (the first comes out of prefill). Default 128. */
  readonly outputTokens?: number;
  /** Prompt tokens per prefill pass. Default 128 (platform.stages["lut-linear"].prefillChunkTokens). */
  readonly prefillChunkTokens?: number;
  /**
   * Decode steps emulated: 'all', or a count N >= 2 of steps spread evenly from the first to the
   * last (cycles of the others interpolated linearly in the context length: a step's cycles are
   * affine in the history between KV-chunk boundaries). Default 3.
   */
  readonly decodeSamples?: number | 'all';
  readonly prefetch?: boolean;
  readonly layers?: number;
  /** Called after each emulated pass. */
  readonly onProgress?: (done: number, total: number, label: string) => void;
  /** Keep the trace events of the first decode step (for Perfetto export). */
  readonly traceDecode?: boolean;
  /**
   * Emulate a request beyond the platform's built limits (`platform.builtLimits`: MAX_SEQ_LEN,
   * MAX_KV_LEN) as a what-if instead of refusing it; the report lists what was exceeded. Default false.
   */
  readonly beyondBuiltLimits?: boolean;
}

/**
 * The built limits a request exceeds on a platform (empty when it has none or the request fits),
 * one sentence each naming the limit. Positions held in K/V: prompt + output - 1 (the last token
 * generated is never fed back). A prefill call takes min(prompt, chunk) tokens.
 */
export function builtLimitViolations(platform: PlatformConfig, promptTokens: number, outputTokens: number, prefillChunkTokens: number): string[] {
  const lim = platform.builtLimits;
  if (!lim) return [];
  const out: string[] = [];
  if (promptTokens > lim.maxSeqLen) out.push(`a prompt of ${promptTokens} tokens exceeds MAX_SEQ_LEN = ${lim.maxSeqLen} (tokens per prefill call of the built design)`);
  else if (prefillChunkTokens < promptTokens) out.push(`a prefill in chunks of ${prefillChunkTokens} tokens needs prefill calls with a KV history, which the built design (one call of at most MAX_SEQ_LEN = ${lim.maxSeqLen} tokens) does not make`);
  const positions = promptTokens + outputTokens - 1;
  if (positions > lim.maxKvLen) out.push(`${promptTokens} prompt + ${outputTokens} output tokens hold ${positions} positions of K/V, more than MAX_KV_LEN = ${lim.maxKvLen} (the built design's on-chip K/V buffers)`);
  return out;
}

export interface InferenceReport {
  readonly model: string;
  readonly platform: string;
  readonly variant: LinearVariant;
  readonly clockMhz: number;
  readonly promptTokens: number;
  readonly outputTokens: number;
  readonly prefill: readonly PassReport[];
  /** The emulated decode steps. */
  readonly decodeSamples: readonly PassReport[];
  /** Cycles of every decode step (emulated or interpolated), in order. */
  readonly decodeCycles: readonly number[];
  readonly ttftMs: number;
  /** Mean decode step latency. */
  readonly decodeMsPerToken: number;
  readonly e2eMs: number;
  /** outputTokens / e2e time. */
  readonly tokensPerSecond: number;
  readonly boardWatts: number;
  /** Board power x mean decode step (an upper bound). */
  readonly decodeJoulesPerToken: number;
  readonly tokensPerJoule: number;
  /** Analytical per-operator model at the middle decode context (the cross-check). */
  readonly analyticalDecodeMsPerToken: number;
  /** Cycles of each decoder layer over the whole prefill (sum over the prefill passes). */
  readonly prefillLayerCycles: readonly number[];
  /** LM head cycles of the prefill (sum over passes: each pass ends with the LM head on its last token). */
  readonly prefillLmHeadCycles: number;
  /** Cycles of each decoder layer in a decode step (mean over the emulated decode steps; empty without decode). */
  readonly decodeLayerCycles: readonly number[];
  /** LM head cycles of a decode step (mean over the emulated decode steps; NaN without decode). */
  readonly decodeLmHeadCycles: number;
  /** Built limits the request exceeds, emulated anyway as a what-if (`beyondBuiltLimits`); empty within limits. */
  readonly beyondBuiltLimits: readonly string[];
  readonly wallMs: number;
}

/**
 * The decode steps (0-based, of outputTokens - 1) that runInference emulates for a
 * `decodeSamples` setting: all of them, or N spread evenly from the first to the last.
 */
export function decodeSampleSteps(outputTokens: number, decodeSamples: number | 'all'): number[] {
  const steps = outputTokens - 1;
  if (steps <= 0) return [];
  if (decodeSamples === 'all') return Array.from({ length: steps }, (_, i) => i);
  if (!Number.isInteger(decodeSamples) || decodeSamples < 2) throw new RangeError(`decodeSamples must be 'all' or an integer >= 2, got ${decodeSamples}`);
  const n = Math.min(decodeSamples, steps);
  return [...new Set(Array.from({ length: n }, (_, i) => (n === 1 ? 0 : Math.round((i * (steps - 1)) / (n - 1)))))];
}

/** Element-wise sum of per-layer arrays over passes, times `scale` (1: sum; 1/n: mean). */
function sumLayers(passes: readonly PassReport[], of: (p: PassReport) => readonly number[], scale: number): number[] {
  const out: number[] = [];
  for (const p of passes) of(p).forEach((c, l) => (out[l] = (out[l] ?? 0) + c));
  return out.map((c) => c * scale);
}

/**
 * One timing pass as plain data (structured-cloneable): what a pass-pool worker needs to build and
 * run it. `label` names the pass in progress and errors ("prefill chunk 1/2", "decode step 64/127").
 */
export interface PassTask {
  readonly pass: Omit<PassOptions, 'functional'>;
  readonly trace: boolean;
  readonly label: string;
}

/** The passes of a request and how their reports become the request's report. */
export interface InferencePlan {
  /** In report order: the prefill chunks, then the sampled decode steps. */
  readonly tasks: readonly PassTask[];
  /** The request's report from the reports of `tasks` (same order). */
  readonly assemble: (reports: readonly PassReport[], wallMs: number) => InferenceReport;
}

/** Checks a request and lists its passes (runInference and runInference$ share it). */
export function planInference(opts: InferenceOptions): InferencePlan {
  const platform = opts.platform ?? PLATFORM_PRESETS[DEFAULT_PLATFORM_PRESET];
  const model = validateQwen3Config(opts.model);
  const variant = opts.variant ?? 'co-quant';
  const prompt = opts.promptTokens ?? 128;
  const out = opts.outputTokens ?? 128;
  const chunk = opts.prefillChunkTokens ?? prefillChunkTokensOf(platform);
  for (const [k, v] of Object.entries({ promptTokens: prompt, outputTokens: out, prefillChunkTokens: chunk })) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${k} must be an integer >= 1, got ${v}`);
  }
  if (prompt + out > model.maxPositionEmbeddings) throw new RangeError(`promptTokens + outputTokens = ${prompt + out} exceeds the model's ${model.maxPositionEmbeddings} positions`);
  const beyond = builtLimitViolations(platform, prompt, out, chunk);
  if (beyond.length > 0 && opts.beyondBuiltLimits !== true) {
    throw new RangeError(`${platform.name}: ${beyond.join('; ')}. Refused: the built design cannot run it (beyondBuiltLimits / --beyond-built-limits emulates it as a what-if)`);
  }
  const steps = out - 1;
  const sampleSteps = decodeSampleSteps(out, opts.decodeSamples ?? 3);
  const chunks = Math.ceil(prompt / chunk);
  const base = { model, platform, variant, ...(opts.prefetch !== undefined ? { prefetch: opts.prefetch } : {}), ...(opts.layers !== undefined ? { layers: opts.layers } : {}) };
  const tasks: PassTask[] = [];
  for (let c = 0; c < chunks; c++) {
    const tokens = Math.min(chunk, prompt - c * chunk);
    tasks.push({ pass: { ...base, phase: 'prefill', tokens, history: c * chunk }, trace: false, label: `prefill chunk ${c + 1}/${chunks}` });
  }
  for (const s of sampleSteps) {
    tasks.push({ pass: { ...base, phase: 'decode', tokens: 1, history: prompt + s }, trace: (opts.traceDecode ?? false) && s === sampleSteps[0], label: `decode step ${s + 1}/${steps}` });
  }
  return {
    tasks,
    assemble: (reports, wallMs) => assembleInference({ model, platform, variant, prompt, out, steps, sampleSteps, beyond }, reports.slice(0, chunks), reports.slice(chunks), wallMs),
  };
}

/** Emulates a request (prompt in, tokens out) in timing mode, one pass after another on this thread. */
export function runInference(opts: InferenceOptions): InferenceReport {
  const t0 = performance.now();
  const plan = planInference(opts);
  const reports = plan.tasks.map((t, i) => {
    const r = runPassTiming(t.pass, { trace: t.trace });
    opts.onProgress?.(i + 1, plan.tasks.length, t.label);
    return r;
  });
  return plan.assemble(reports, performance.now() - t0);
}

function assembleInference(
  req: { model: Qwen3Config; platform: PlatformConfig; variant: LinearVariant; prompt: number; out: number; steps: number; sampleSteps: readonly number[]; beyond: readonly string[] },
  prefill: readonly PassReport[],
  decodeSamples: readonly PassReport[],
  wallMs: number,
): InferenceReport {
  const { model, platform, variant, prompt, out, steps, sampleSteps, beyond } = req;
  const decodeCycles: number[] = [];
  for (let s = 0; s < steps; s++) {
    const k = sampleSteps.indexOf(s);
    if (k >= 0) {
      decodeCycles.push(decodeSamples[k]!.cycles);
      continue;
    }
    let hi = sampleSteps.findIndex((x) => x > s);
    if (hi <= 0) hi = sampleSteps.length - 1;
    const lo = hi - 1;
    const [s0, s1] = [sampleSteps[lo]!, sampleSteps[hi]!];
    const [c0, c1] = [decodeSamples[lo]!.cycles, decodeSamples[hi]!.cycles];
    decodeCycles.push(Math.round(c0 + ((c1 - c0) * (s - s0)) / (s1 - s0)));
  }
  const mhz = platform.clockMhz;
  const ttftCycles = prefill.reduce((a, p) => a + p.cycles, 0);
  const decodeTotal = decodeCycles.reduce((a, c) => a + c, 0);
  const ttftMs = ttftCycles / (mhz * 1e3);
  const decodeMsPerToken = steps > 0 ? decodeTotal / steps / (mhz * 1e3) : NaN;
  const e2eMs = (ttftCycles + decodeTotal) / (mhz * 1e3);
  const watts = platform.boardPowerWatts;
  const midContext = prompt + Math.floor(steps / 2);
  const analytical = analyticalDecodeCycles(model, platform, midContext);
  const jPerToken = steps > 0 ? (watts * decodeMsPerToken) / 1e3 : NaN;
  return {
    model: model.name,
    platform: platform.name,
    variant,
    clockMhz: mhz,
    promptTokens: prompt,
    outputTokens: out,
    prefill,
    decodeSamples,
    decodeCycles,
    ttftMs,
    decodeMsPerToken,
    e2eMs,
    tokensPerSecond: out / (e2eMs / 1e3),
    boardWatts: watts,
    decodeJoulesPerToken: jPerToken,
    tokensPerJoule: 1 / jPerToken,
    analyticalDecodeMsPerToken: analytical.totalCycles / (mhz * 1e3),
    prefillLayerCycles: sumLayers(prefill, (p) => p.layerCycles, 1),
    prefillLmHeadCycles: prefill.reduce((a, p) => a + p.lmHeadCycles, 0),
    decodeLayerCycles: decodeSamples.length > 0 ? sumLayers(decodeSamples, (p) => p.layerCycles, 1 / decodeSamples.length) : [],
    decodeLmHeadCycles: decodeSamples.length > 0 ? decodeSamples.reduce((a, p) => a + p.lmHeadCycles, 0) / decodeSamples.length : NaN,
    beyondBuiltLimits: beyond,
    wallMs,
  };
}
