import {
  ANALYTICAL_NOTE,
  analyticalDecodeCycles,
  buildPassGraph,
  type Feasibility,
  type PassOptions,
  formatNumber,
  runInference$,
  runPassTiming,
  type InferenceReport,
  type LinearVariant,
  type PassLanes,
  type PassReport,
  type PlatformConfig,
} from '@lut-llm/accelerator';
import { decodeSampleSteps, prefillChunkTokensOf } from '@lut-llm/accelerator';
import { table, type Graph } from '@lut-llm/core';
import type { Qwen3Config } from '@lut-llm/model';
import { reportJson, writeOutput, writtenNote } from './files.js';
import { BOUNDS, CliError, checkAtMost, checkFeasible, checkLayers, checkLengths, checkWritable, designFeasibility, onChipLines, whatIfLines, type DesignFeasibility } from './options.js';
import { builtLimitLines, layerLines } from './hardware.js';
import { followInference, PassProgress, type CliIo } from './progress.js';
import { DEFAULT_TRACE_WINDOW_CYCLES, estimateExactTraceBytes, tracedPassOptions, writePassTrace, type TracePass } from './trace.js';

/** Defaults of `lut-llm run`: the paper's request on the paper's model. */
export const RUN_DEFAULTS = { model: 'Qwen3-1.7B', platform: 'v80-int4-250', prompt: 128, output: 128, decodeSamples: 3, variant: 'co-quant' } as const;

export interface RunCommandOptions {
  readonly model: Qwen3Config;
  readonly platform: PlatformConfig;
  readonly variant: LinearVariant;
  readonly prompt: number;
  readonly output: number;
  readonly prefillChunk?: number;
  readonly decodeSamples: number | 'all';
  readonly layers?: number;
  readonly prefetch: boolean;
  /** Rows of the unit utilisation table. */
  readonly topUnits?: number;
  readonly json?: string;
  readonly trace?: string;
  /** The pass --trace records (default: the first decode step, or the first prefill chunk with --output 1). */
  readonly tracePass?: TracePass;
  /**
   * Trace windows in cycles, or 'exact' (every state change). Default: windows of
   * {@link DEFAULT_TRACE_WINDOW_CYCLES} for a whole-model run, exact with --layers.
   */
  readonly traceWindow?: number | 'exact';
  /** Emulate a design that does not fit the platform, as a what-if (--allow-infeasible). */
  readonly allowInfeasible?: boolean;
  /** Emulate beyond the platform's built limits as a what-if (`--beyond-built-limits`). */
  readonly beyondBuiltLimits?: boolean;
  /**
   * Threads computing passes, the main thread included (`--pass-workers`; 0 or 1: serial).
   * Default: the first pass on the main thread, the others on one thread per core when that pays
   * (accelerator's secondLanePays), else serially.
   */
  readonly passWorkers?: number;
  /**
   * Lanes started with the process (main.ts): they run the passes when `passWorkers` asks for as
   * many threads and the request has 2 or more passes; otherwise lanes are started for the
   * request (2 or more threads) or the passes run serially. The caller closes them.
   */
  readonly passLanes?: PassLanes;
}

/** Prompt tokens per prefill pass: the flag, else the platform's lut-linear.prefillChunkTokens, else 128 (as runInference). */
export function prefillChunkOf(platform: PlatformConfig, flag?: number): number {
  return flag ?? prefillChunkTokensOf(platform);
}

/** Passes runInference will emulate: prefill chunks plus the sampled decode steps. */
export function plannedPasses(prompt: number, output: number, chunk: number, samples: number | 'all'): number {
  return Math.ceil(prompt / chunk) + decodeSampleSteps(output, samples).length;
}

/**
 * Checks the FIFO depths of a platform against {@link BOUNDS} before a graph is built: each depth,
 * then the slots of every FIFO of `graph` (a pass graph has thousands of FIFOs, each a
 * preallocated ring). `source` names where the depths came from (--platform file, --set).
 */
export function checkFifoBounds(platform: PlatformConfig, source: string, graph?: { readonly fifos: readonly { readonly name: string; readonly depth: number }[] }): void {
  const why = `a FIFO preallocates 24 B per slot, and no FIFO of the design carries that many tiles`;
  checkAtMost(`${source}: fifoDepthDefault`, platform.fifoDepthDefault, BOUNDS.fifoDepth, why);
  for (const [name, d] of Object.entries(platform.fifoDepthOverrides)) checkAtMost(`${source}: fifoDepthOverrides["${name}"]`, d, BOUNDS.fifoDepth, why);
  if (graph) {
    const slots = graph.fifos.reduce((a, f) => a + f.depth, 0);
    checkAtMost(`${source}: the FIFO depths (total slots over the ${graph.fifos.length} FIFOs of one pass)`, slots, BOUNDS.graphFifoSlots, 'their rings would take more than 384 MiB of heap');
  }
}

/**
 * Builds the pass graph of `pass` once before any emulation, so a bad platform setting (a stage
 * parameter, an unknown FIFO name, a depth out of bounds) fails at once naming its source.
 */
export function checkPassPlatform(pass: PassOptions): Graph {
  let graph: Graph;
  try {
    graph = buildPassGraph(pass).graph;
  } catch (e) {
    throw new CliError(`--platform / --set: ${(e as Error).message}`);
  }
  checkFifoBounds(pass.platform, 'the platform', graph);
  return graph;
}

/** Where --trace --trace-pass points, before the emulation starts (errors name the flags). */
export function checkTracePass(o: RunCommandOptions, chunk: number): TracePass {
  const pass = o.tracePass ?? (o.output >= 2 ? { phase: 'decode', step: 1 } : { phase: 'prefill', chunk: 1 });
  try {
    tracedPassOptions({ model: o.model, platform: o.platform }, pass, { prompt: o.prompt, output: o.output, chunk });
  } catch (e) {
    throw new CliError((e as Error).message);
  }
  return pass;
}

/**
 * Checks a run request before any emulation (messages name the flags); returns the design's
 * feasibility: HBM capacity per channel group and the on-chip budget (tables, buffers, K/V, FIFOs, DSPs).
 */
export function checkRunOptions(o: RunCommandOptions): DesignFeasibility {
  checkLayers(o.layers, o.model);
  checkLengths(o.prompt, o.output, o.model);
  if (o.json !== undefined) checkWritable('--json', o.json, { allowStdout: true });
  if (o.trace !== undefined) checkWritable('--trace', o.trace);
  // Stage parameters, FIFO names and depth bounds first (they name --platform / --set), then the budget.
  checkPassPlatform({ model: o.model, platform: o.platform, variant: o.variant, prefetch: o.prefetch, phase: 'decode', tokens: 1, history: o.prompt, ...(o.layers !== undefined ? { layers: o.layers } : {}) });
  const feasibility = designFeasibility(o.model, o.platform, o.prompt + o.output, [o.variant]);
  checkFeasible(feasibility, o.allowInfeasible ?? false, `${o.model.name} with ${o.prompt + o.output} positions on ${o.platform.name}`);
  return feasibility;
}

/**
 * Bound of a windowed trace: the per-window sums it holds (busy, full-stall and contention cycles
 * of every actor over the window, plus one per actor): 2^21 sums, ~400 MB of heap at ~200 B each.
 */
export const MAX_TRACE_WINDOW_SUMS = 2 ** 21;

/** What a trace of the traced pass will hold, estimated before any emulation (see {@link estimateTraceSize}). */
export interface TraceSizeEstimate {
  /** Bytes of the exact trace (every state change). */
  readonly exactBytes: number;
  /** Per-window sums a windowed trace holds for `window` cycles (NaN for an exact trace). */
  readonly windowSums: number;
  /** How the figures were obtained, for the message. */
  readonly how: string;
}

/**
 * Estimates the size of the traced pass's trace from the configuration, before the emulation
 * starts: every decoder layer has the same graph, so a pass's firings, FIFO tokens and stall
 * cycles are affine in its layer count L (a + b L; the LM head and the shared units are the a).
 * The traced pass is emulated (timing only, no trace) with 1 and 2 layers and the counts are
 * extrapolated to L; with L <= 2 the pass itself is measured. Cost: two passes of 1-2 layers,
 * about 2/L of one full pass.
 */
export function estimateTraceSize(passOpts: PassOptions, layers: number, window: number | 'exact'): TraceSizeEstimate {
  const measure = (l: number) => {
    const s = runPassTiming({ ...passOpts, layers: l }).summary;
    const sums = window === 'exact' ? NaN : s.actors.reduce((a, x) => a + Math.ceil((x.busyCycles + x.stalledFullCycles + x.stalledContentionCycles) / window) + 1, 0);
    return { bytes: estimateExactTraceBytes(s), sums };
  };
  if (layers <= 2) {
    const m = measure(layers);
    return { exactBytes: m.bytes, windowSums: m.sums, how: `measured on the pass (${layers} layer(s)) without writing it` };
  }
  const one = measure(1);
  const two = measure(2);
  const at = (a: number, b: number) => a + (b - a) * (layers - 1);
  return { exactBytes: at(one.bytes, two.bytes), windowSums: at(one.sums, two.sums), how: `extrapolated to ${layers} layers from the pass emulated with 1 and 2 layers` };
}

/**
 * Checks the trace of `--trace` against its bounds before any emulation (exact: bytes; windowed:
 * per-window sums), naming --trace-window; prints the exact trace's estimate.
 */
export function checkTraceSize(o: RunCommandOptions, passOpts: PassOptions, window: number | 'exact', what: string, io: CliIo): TraceSizeEstimate {
  const est = estimateTraceSize(passOpts, o.layers ?? o.model.layers, window);
  if (window === 'exact') {
    io.err(`exact trace of ${what}: about ${(est.exactBytes / 1e6).toFixed(0)} MB estimated, ${est.how} (--trace-window ${DEFAULT_TRACE_WINDOW_CYCLES} writes ~1% of that)`);
    checkAtMost('--trace-window exact: the estimated trace size in bytes', Math.round(est.exactBytes), BOUNDS.exactTraceBytes, 'the Perfetto UI cannot open traces of more than a few hundred MB; trace fewer --layers or use windows');
  } else {
    checkAtMost(`--trace-window ${window}: the per-window sums of the trace (estimated, ${est.how})`, Math.round(est.windowSums), MAX_TRACE_WINDOW_SUMS, 'about 200 B of heap each; use a longer window');
  }
  return est;
}

/** The traced pass: its options, window and description (before any emulation). */
function tracePlan(o: RunCommandOptions, tracePass: TracePass, base: Omit<PassOptions, 'phase' | 'tokens' | 'history'>, chunk: number) {
  const window = o.traceWindow ?? (o.layers === undefined ? DEFAULT_TRACE_WINDOW_CYCLES : 'exact');
  const passOpts = tracedPassOptions(base, tracePass, { prompt: o.prompt, output: o.output, chunk });
  const what = tracePass.phase === 'prefill' ? `prefill chunk ${tracePass.chunk} (${passOpts.tokens} tokens at position ${passOpts.history})` : `decode step ${tracePass.step} (KV history ${passOpts.history})`;
  return { window, passOpts, what };
}

/** Emulates the traced pass with its trace streamed to --trace (its size checked before the run); returns the line to print. */
function traceOnePass(o: RunCommandOptions, report: InferenceReport, plan: ReturnType<typeof tracePlan>, feasibility: Feasibility): string {
  const { window, passOpts, what } = plan;
  const title = `${report.model} ${what} (${report.variant})${feasibility.feasible ? '' : ' WHAT-IF: infeasible on this platform'}`;
  const r = writePassTrace(o.trace!, passOpts, { window, clockMhz: report.clockMhz, title });
  return (
    `Perfetto trace of ${what}, ${window === 'exact' ? 'every state change' : `in windows of ${window} cycles`} (${r.records.toLocaleString('en-US')} records, ${(r.bytes / 1e6).toFixed(1)} MB) ` +
    `written to ${o.trace}: open it in https://ui.perfetto.dev (1 us there = 1 cycle)`
  );
}

/** Runs `lut-llm run` in timing mode: emulates the request, prints the summary, writes --json / --trace. */
export async function runCommand(o: RunCommandOptions, io: CliIo): Promise<InferenceReport> {
  const feasibility = checkRunOptions(o);
  const chunk = prefillChunkOf(o.platform, o.prefillChunk);
  const tracePass = o.trace !== undefined ? checkTracePass(o, chunk) : undefined;
  const base = { model: o.model, platform: o.platform, variant: o.variant, prefetch: o.prefetch, ...(o.layers !== undefined ? { layers: o.layers } : {}) };
  const plan = tracePass !== undefined ? tracePlan(o, tracePass, base, chunk) : undefined;
  if (plan) checkTraceSize(o, plan.passOpts, plan.window, plan.what, io);
  const planned = plannedPasses(o.prompt, o.output, chunk, o.decodeSamples);
  const progress = new PassProgress(io.progressStream, planned + (tracePass ? 1 : 0));
  let report: InferenceReport;
  let traced: string | undefined;
  try {
    // The request as core run$ slices per pass (forwarded from the pass workers): the bar shows the
    // running passes' cycles and counts finished passes; Ctrl-C unsubscribes, which stops them.
    let done = 0;
    // Lanes started with the process serve a --pass-workers n >= 2 request; without the flag
    // runInference$ decides after the first pass (secondLanePays).
    const lanes = o.passLanes && o.passLanes.lanes === o.passWorkers && planned >= 2 ? o.passLanes : undefined;
    const request$ = runInference$({
      ...(lanes ? { passLanes: lanes } : o.passWorkers !== undefined ? { passWorkers: o.passWorkers } : {}),
      model: o.model,
      platform: o.platform,
      variant: o.variant,
      promptTokens: o.prompt,
      outputTokens: o.output,
      prefillChunkTokens: chunk,
      decodeSamples: o.decodeSamples,
      prefetch: o.prefetch,
      ...(o.layers !== undefined ? { layers: o.layers } : {}),
      ...(o.beyondBuiltLimits ? { beyondBuiltLimits: true } : {}),
    });
    report = await followInference(request$, io, { passDone: (label) => progress.update(++done, label), passProgress: (label, cycle) => progress.live(label, cycle) });
    if (plan) {
      progress.update(planned, 'tracing');
      traced = traceOnePass(o, report, plan, feasibility);
      progress.update(planned + 1, 'trace written');
    }
  } finally {
    progress.stop();
  }
  // With --json - the JSON is stdout; the text report goes to stderr.
  const text = o.json === '-' ? (t: string) => io.err(t) : (t: string) => io.out(t);
  text([...whatIfLines(feasibility), formatRunReport(report, { model: o.model, platform: o.platform, layers: o.layers, prefetch: o.prefetch, topUnits: o.topUnits }), ...onChipLines(feasibility)].join('\n'));
  if (o.json !== undefined) {
    writeOutput('--json', o.json, reportJson({ ...report, whatIf: !feasibility.feasible, feasibility }), io);
    writtenNote(io, o.json, 'report (JSON, trace events and wall times omitted)');
  }
  if (traced !== undefined) text(traced);
  const passes = report.prefill.length + report.decodeSamples.length;
  io.err(`(emulated ${passes} passes in ${(report.wallMs / 1e3).toFixed(1)} s wall time)`);
  return report;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const int = (x: number) => Math.round(x).toLocaleString('en-US');

/** Utilisation of each unit over several passes: busy cycles / pass cycles, summed. */
export function unitUtilisation(passes: readonly PassReport[]): Map<string, { instances: number; utilisation: number }> {
  const cycles = passes.reduce((a, p) => a + p.cycles, 0);
  const busy = new Map<string, { instances: number; busy: number }>();
  for (const p of passes) {
    for (const u of p.units) {
      const e = busy.get(u.unit) ?? { instances: u.instances, busy: 0 };
      e.busy += u.busyCycles;
      e.instances = Math.max(e.instances, u.instances);
      busy.set(u.unit, e);
    }
  }
  return new Map([...busy].map(([k, e]) => [k, { instances: e.instances, utilisation: cycles > 0 ? e.busy / cycles : 0 }]));
}

/** Bytes served and peak rate of each HBM stream over several passes. */
export function hbmUse(passes: readonly PassReport[]): Map<string, { bytes: number; peakBytesPerCycle: number; cycles: number }> {
  const cycles = passes.reduce((a, p) => a + p.cycles, 0);
  const out = new Map<string, { bytes: number; peakBytesPerCycle: number; cycles: number }>();
  for (const p of passes) {
    for (const r of p.resources) {
      if (!r.resource.startsWith('hbm.')) continue;
      const e = out.get(r.resource) ?? { bytes: 0, peakBytesPerCycle: r.unitsPerCycle, cycles };
      e.bytes += r.unitsServed;
      out.set(r.resource, e);
    }
  }
  return out;
}

/** GB/s (10^9 B/s) of `bytesPerCycle` at `clockMhz`. */
export function gbps(bytesPerCycle: number, clockMhz: number): number {
  return (bytesPerCycle * clockMhz) / 1e3;
}

/** GB/s for a table cell: two decimals (one from 100 GB/s). */
export function gbpsText(x: number): string {
  return x >= 100 ? x.toFixed(1) : x.toFixed(2);
}

/** The pass of a phase that takes the most cycles (its bottleneck is the phase's). */
function longest(passes: readonly PassReport[]): PassReport | undefined {
  return passes.reduce<PassReport | undefined>((a, p) => (a === undefined || p.cycles > a.cycles ? p : a), undefined);
}

/** What a bottleneck name means for the phase. */
export function bottleneckMeaning(name: string): string {
  if (name === 'hbm.weights') return 'memory-bound: streaming the LUTs and weight indices from HBM';
  if (name.startsWith('hbm.')) return `memory-bound on the HBM ${name.slice(4)} stream`;
  if (name.startsWith('lut-linear/')) return `compute-bound in the LUTLinear ${name.slice('lut-linear/'.length)} stage`;
  return `compute-bound in the ${name} unit`;
}

/** {@link bottleneckMeaning}, or, when the top-ranked unit is not saturated, says so. */
export function bottleneckText(b: { readonly name: string; readonly utilisation: number }): string {
  const m = bottleneckMeaning(b.name);
  return b.utilisation >= LOW_UTILISATION ? m : `the most limiting, but not saturated (${m.replace(/-bound/, '-heavy')})`;
}

/** Below this, the top-ranked unit does not dominate its pass. */
const LOW_UTILISATION = 0.6;

function line(label: string, value: string, unit = ''): string {
  return `  ${label.padEnd(28)} ${value.padStart(10)} ${unit}`.trimEnd();
}

/** The summary `lut-llm run` prints. */
export function formatRunReport(
  r: InferenceReport,
  ctx: { readonly model: Qwen3Config; readonly platform: PlatformConfig; readonly layers?: number; readonly prefetch?: boolean; readonly topUnits?: number },
): string {
  const L = ctx.layers ?? ctx.model.layers;
  const steps = r.outputTokens - 1;
  const mhz = r.clockMhz;
  const out: string[] = [];
  const chunkTokens = Math.max(...r.prefill.map((p) => p.tokens));
  out.push(`LUT-LLM emulator: ${r.model} on ${r.platform}`);
  out.push(`  variant ${r.variant} LUTLinear, timing mode, kernel clock ${mhz} MHz, board power ${r.boardWatts} W, KV prefetch ${ctx.prefetch === false ? 'off' : 'on'}`);
  out.push(
    `  request: ${r.promptTokens} prompt tokens in, ${r.outputTokens} tokens out; prefill in ${r.prefill.length} pass(es) of up to ${chunkTokens} tokens, ` +
      `${steps} decode step(s)`,
  );
  if (L < ctx.model.layers) out.push(`  only ${L} of ${ctx.model.layers} decoder layers emulated (--layers; the LM head always runs): figures cover those layers`);
  out.push('');
  out.push(...builtLimitLines(r));

  // ---- latency, throughput, energy
  const requestJPerToken = (r.boardWatts * r.e2eMs) / 1e3 / r.outputTokens;
  out.push('request (emulated, timing mode)');
  out.push(line('time to first token (TTFT)', formatNumber(r.ttftMs), 'ms'));
  out.push(line('decode latency', formatNumber(r.decodeMsPerToken), 'ms/token (mean over the decode steps)'));
  out.push(line('end-to-end latency', formatNumber(r.e2eMs), 'ms'));
  out.push(line('throughput', formatNumber(r.tokensPerSecond), 'tokens/s (output tokens / end-to-end)'));
  out.push(line('decode energy', formatNumber(r.decodeJoulesPerToken), `J/token (${r.boardWatts} W board power x time: an upper bound)`));
  out.push(line('decode efficiency', formatNumber(r.tokensPerJoule), 'tokens/J (so a lower bound)'));
  out.push(line('request efficiency', formatNumber(1 / requestJPerToken), 'tokens/J (output tokens / board energy of the whole request)'));
  out.push('');

  out.push(...layerLines(r));

  // ---- HBM
  const pre = hbmUse(r.prefill);
  const dec = hbmUse(r.decodeSamples);
  const wPhase = dec.has('hbm.weights') ? 'decode' : 'prefill';
  const w = dec.get('hbm.weights') ?? pre.get('hbm.weights');
  if (w) {
    const achieved = gbps(w.bytes / w.cycles, mhz);
    const peak = gbps(w.peakBytesPerCycle, mhz);
    out.push(
      `HBM weight stream (LUTs + indices) in ${wPhase}: ${gbpsText(achieved)} GB/s achieved of ${gbpsText(peak)} GB/s peak (${pct(achieved / peak)}), ` +
        `${formatNumber(w.bytes / Math.max(1, wPhase === 'decode' ? r.decodeSamples.length : r.prefill.length) / 1e6)} MB per pass`,
    );
  }
  const streams = [...new Set([...pre.keys(), ...dec.keys()])];
  const cell = (m: typeof pre, s: string) => {
    const e = m.get(s);
    if (!e || e.cycles === 0) return '-';
    const bpc = e.bytes / e.cycles;
    return `${gbpsText(gbps(bpc, mhz))} (${pct(bpc / e.peakBytesPerCycle)})`;
  };
  out.push(
    table(
      ['HBM stream', 'peak GB/s', 'prefill GB/s (util)', 'decode GB/s (util)'],
      streams.map((s) => [s, gbpsText(gbps((pre.get(s) ?? dec.get(s))!.peakBytesPerCycle, mhz)), cell(pre, s), cell(dec, s)]),
    ),
  );
  out.push('');

  // ---- units
  const topN = ctx.topUnits ?? 10;
  const uPre = unitUtilisation(r.prefill);
  const uDec = unitUtilisation(r.decodeSamples);
  const units = [...new Set([...uPre.keys(), ...uDec.keys()])]
    .map((u) => ({ u, p: uPre.get(u), d: uDec.get(u) }))
    .sort((a, b) => Math.max(b.p?.utilisation ?? 0, b.d?.utilisation ?? 0) - Math.max(a.p?.utilisation ?? 0, a.d?.utilisation ?? 0) || (a.u < b.u ? -1 : 1));
  out.push(`unit utilisation (busy cycles / pass cycles; top ${Math.min(topN, units.length)} of ${units.length} units; instances of a unit are the per-layer, per-op copies that run in turn)`);
  out.push(
    table(
      ['unit', 'instances', 'prefill', 'decode'],
      units.slice(0, topN).map(({ u, p, d }) => [u, String((p ?? d)!.instances), p ? pct(p.utilisation) : '-', d ? pct(d.utilisation) : '-']),
    ),
  );
  out.push('');

  // ---- bottleneck
  out.push('bottleneck (most limiting unit or HBM stream, by cycles busy on its own work)');
  const phases: [string, PassReport | undefined][] = [
    ['prefill', longest(r.prefill)],
    ['decode', longest(r.decodeSamples)],
  ];
  for (const [phase, p] of phases) {
    if (!p) continue;
    const saturated = p.bottleneck.utilisation >= LOW_UTILISATION;
    out.push(`  ${phase}: ${p.bottleneck.name} at ${pct(p.bottleneck.utilisation)} -> ${bottleneckText(p.bottleneck)}`);
    out.push(`    why: ${p.bottleneck.why} (${phase === 'prefill' ? `${p.tokens}-token chunk at position ${p.history}` : `step at KV history ${p.history}`})`);
    if (!saturated) {
      out.push(
        `    no unit or stream is busy most of the pass: time is spread over units that work in turn (LUTLinear runs the ops of a layer in rounds, ` +
          `attention and the SFU between them), so the pass length is set by that sequence rather than by one saturated unit`,
      );
    }
  }
  out.push('');

  // ---- cross-check and sampling note
  if (steps > 0) {
    const mid = r.promptTokens + Math.floor(steps / 2);
    const analyticalMs =
      L < ctx.model.layers ? analyticalDecodeCycles({ ...ctx.model, layers: L }, ctx.platform, mid).totalCycles / (mhz * 1e3) : r.analyticalDecodeMsPerToken;
    out.push(
      `cross-check: analytical model ${formatNumber(analyticalMs)} ms/token (decode at context ${mid}) vs emulated ${formatNumber(r.decodeMsPerToken)} ms/token ` +
        `(emulated / analytical = ${(r.decodeMsPerToken / analyticalMs).toFixed(2)})`,
    );
    out.push(`  ${ANALYTICAL_NOTE}`);
    const hist = r.decodeSamples.map((p) => p.history);
    const interpolated = steps - r.decodeSamples.length;
    out.push(
      interpolated > 0
        ? `note: ${r.decodeSamples.length} of ${steps} decode steps emulated (KV history ${hist.join(', ')}); the cycles of the other ${interpolated} are ` +
            `interpolated linearly in the context length (--decode-samples all emulates every step)`
        : `note: all ${steps} decode steps emulated`,
    );
  }
  out.push(`cycles: prefill ${int(r.prefill.reduce((a, p) => a + p.cycles, 0))}, decode ${int(r.decodeCycles.reduce((a, c) => a + c, 0))} (kernel clock ${mhz} MHz)`);
  return out.join('\n');
}
