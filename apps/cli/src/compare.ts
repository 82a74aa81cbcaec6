import {
  GPU_BASELINES,
  analyticalLatency,
  formatComparison,
  formatNumber,
  formatRooflinePoints,
  fp16DspLatency,
  latencyEstimate,
  layerRooflinePoints,
  PassLanes,
  defaultPassWorkers,
  runInference,
  runRequestsOnLanes,
  type InferenceReport,
  type LatencyEstimate,
  type LinearVariant,
  type PlatformConfig,
} from '@lut-llm/accelerator';
import { table } from '@lut-llm/core';
import type { Qwen3Config } from '@lut-llm/model';
import { reportJson, writeOutput, writtenNote } from './files.js';
import { formatGpuCalibration, gpuComparisonRows, gpuRatioLines, loadGpuCalibration } from './gpu.js';
import { prefillSweepText } from './sweep.js';
import { checkFeasible, checkLengths, checkWritable, designFeasibility, onChipLines, whatIfLines } from './options.js';
import { attentionUnitLines, builtLimitLines } from './hardware.js';
import { PassProgress, type CliIo } from './progress.js';
import { bottleneckText, checkPassPlatform, gbps, hbmUse, plannedPasses, prefillChunkOf } from './run.js';

export interface CompareCommandOptions {
  readonly model: Qwen3Config;
  readonly platform: PlatformConfig;
  readonly variants: readonly LinearVariant[];
  readonly prompt: number;
  readonly output: number;
  readonly prefillChunk?: number;
  readonly decodeSamples: number | 'all';
  readonly prefetch: boolean;
  /** Also print the per-layer roofline points (decode and prefill) for each GPU. */
  readonly roofline: boolean;
  /** `--gpu-measured`: a JSON file of measured GPU requests to calibrate the GPU latency model on. */
  readonly gpuMeasured?: string;
  /** `--prefill-sweep FROM..TO`: LUT-LLM vs the FP16 DSP baseline over prompt lengths (sweep.ts). */
  readonly prefillSweep?: readonly [number, number];
  readonly json?: string;
  /** Emulate beyond the platform's built limits as a what-if (`--beyond-built-limits`). */
  readonly beyondBuiltLimits?: boolean;
  /** Emulate a design that does not fit the platform, as a what-if (--allow-infeasible). */
  readonly allowInfeasible?: boolean;
  /** Threads computing passes, the main thread included (`--pass-workers`; 0 or 1: serial). Default: one per core when there are two or more. */
  readonly passWorkers?: number;
  /** Lanes started with the process (main.ts): used when `passWorkers` asks for as many threads. The caller closes them. */
  readonly passLanes?: PassLanes;
}

/** Default decode samples of `compare` (first and last step; the others interpolated). */
export const COMPARE_DECODE_SAMPLES = 2;

export interface CompareResult {
  readonly reports: readonly InferenceReport[];
  readonly rows: readonly LatencyEstimate[];
}

/** A request-level estimate (for formatComparison) from an emulated report. */
export function emulatedEstimate(r: InferenceReport): LatencyEstimate {
  const steps = r.outputTokens - 1;
  return latencyEstimate({
    system: `${r.platform} (LUT-LLM ${r.variant})`,
    method: 'emulated (timing mode)',
    promptTokens: r.promptTokens,
    outputTokens: r.outputTokens,
    boardWatts: r.boardWatts,
    ttftSeconds: r.ttftMs / 1e3,
    decodeSecondsTotal: r.decodeCycles.reduce((a, c) => a + c, 0) / (r.clockMhz * 1e6),
    notes: [
      `${r.platform} (LUT-LLM ${r.variant}): emulated; ${r.decodeSamples.length} of ${steps} decode steps emulated, the others interpolated; ` +
        `energy at ${r.boardWatts} W board power (an upper bound)`,
    ],
  });
}

/** Runs `lut-llm compare`: the LUTLinear variants on the whole model, then LUT-LLM vs the GPU rooflines. */
export async function compareCommand(o: CompareCommandOptions, io: CliIo): Promise<CompareResult> {
  checkLengths(o.prompt, o.output, o.model);
  if (o.json !== undefined) checkWritable('--json', o.json, { allowStdout: true });
  // A bad measurements file fails before minutes of emulation.
  const calibration = o.gpuMeasured !== undefined ? loadGpuCalibration(o.gpuMeasured, o.model) : undefined;
  const chunk = prefillChunkOf(o.platform, o.prefillChunk);
  for (const variant of o.variants) checkPassPlatform({ model: o.model, platform: o.platform, variant, prefetch: o.prefetch, phase: 'decode', tokens: 1, history: o.prompt });
  // HBM per channel group and each variant's on-chip budget, before any emulation.
  const feasibility = designFeasibility(o.model, o.platform, o.prompt + o.output, o.variants);
  checkFeasible(feasibility, o.allowInfeasible ?? false, `${o.model.name} with ${o.prompt + o.output} positions on ${o.platform.name}`);
  const per = plannedPasses(o.prompt, o.output, chunk, o.decodeSamples);
  const progress = new PassProgress(io.progressStream, per * o.variants.length);
  // Every variant's passes in one run of the pass lanes (the main thread and one worker thread
  // per further core): the variants' passes fill each other's gaps.
  const workers = o.passWorkers ?? defaultPassWorkers();
  const early = o.passLanes && o.passLanes.lanes === workers ? o.passLanes : undefined;
  const lanes = workers >= 2 ? (early ?? new PassLanes({ lanes: Math.min(workers, per * o.variants.length) })) : undefined;
  let done = 0;
  let reports: InferenceReport[];
  try {
    const requests = o.variants.map((variant) => ({
      model: o.model,
      platform: o.platform,
      variant,
      promptTokens: o.prompt,
      outputTokens: o.output,
      prefillChunkTokens: chunk,
      decodeSamples: o.decodeSamples,
      prefetch: o.prefetch,
      ...(o.beyondBuiltLimits ? { beyondBuiltLimits: true } : {}),
      onProgress: (_done: number, _total: number, label: string) => progress.update(++done, `${variant}: ${label}`),
    }));
    reports = lanes ? await runRequestsOnLanes(requests, lanes) : requests.map((r) => runInference(r));
  } finally {
    progress.stop();
    if (lanes !== early) await lanes?.close();
  }
  const out: string[] = [...whatIfLines(feasibility)];
  const mhz = o.platform.clockMhz;
  out.push(
    `LUTLinear variants on the whole model: ${o.model.name} on ${o.platform.name}, ${o.prompt} prompt tokens in, ${o.output} out (timing mode; ` +
      `${reports[0]!.decodeSamples.length} decode step(s) emulated per variant, the others interpolated: --decode-samples)`,
  );
  out.push(...builtLimitLines(reports[0]!));
  const fastest = Math.min(...reports.map((r) => r.e2eMs));
  const rows: string[][] = [];
  const row = (label: string, f: (r: InferenceReport) => string) => rows.push([label, ...reports.map(f)]);
  row('TTFT (ms)', (r) => formatNumber(r.ttftMs));
  row('decode (ms/token)', (r) => formatNumber(r.decodeMsPerToken));
  row('end-to-end (ms)', (r) => formatNumber(r.e2eMs));
  row('vs fastest end-to-end', (r) => `${(r.e2eMs / fastest).toFixed(2)}x`);
  row('tokens/s', (r) => formatNumber(r.tokensPerSecond));
  row('decode tokens/J', (r) => formatNumber(r.tokensPerJoule));
  row('decode weight MB/step', (r) => {
    const w = hbmUse(r.decodeSamples).get('hbm.weights');
    return w ? formatNumber(w.bytes / r.decodeSamples.length / 1e6) : '-';
  });
  row('decode weight GB/s (peak)', (r) => {
    const w = hbmUse(r.decodeSamples).get('hbm.weights');
    return w ? `${formatNumber(gbps(w.bytes / w.cycles, mhz))} (${formatNumber(gbps(w.peakBytesPerCycle, mhz))})` : '-';
  });
  row('prefill bottleneck', (r) => bottleneckCell(r.prefill));
  row('decode bottleneck', (r) => bottleneckCell(r.decodeSamples));
  out.push(table(['', ...reports.map((r) => r.variant)], rows));
  out.push('bottleneck detail:');
  for (const r of reports) {
    for (const [phase, passes] of [['prefill', r.prefill], ['decode', r.decodeSamples]] as const) {
      const p = passes[passes.length - 1];
      if (p) out.push(`  ${r.variant} ${phase}: ${p.bottleneck.name} -> ${bottleneckText(p.bottleneck)}; ${p.bottleneck.why}`);
    }
  }
  out.push(...onChipLines(feasibility));
  out.push('');
  out.push(...attentionUnitLines(o.model, o.platform, o.prompt, o.output));

  // ---- LUT-LLM vs GPUs
  // GPU rows: per-kernel latency model (BF16/INT8/INT4), calibrated with --gpu-measured, plus the roofline bound (gpu.ts).
  const lut = reports.find((r) => r.variant === 'co-quant') ?? reports[0]!;
  const lutRow = emulatedEstimate(lut);
  if (calibration) out.push(formatGpuCalibration(calibration), '');
  const gpus = gpuComparisonRows(o.model, o.prompt, o.output, calibration);
  const request = { promptTokens: o.prompt, outputTokens: o.output };
  const cmpRows: LatencyEstimate[] = [lutRow, analyticalLatency(o.model, o.platform, request), fp16DspLatency(o.model, o.platform, request), ...gpus];
  out.push(`LUT-LLM vs GPU baselines: ${o.model.name}, batch 1, ${o.prompt} prompt tokens in, ${o.output} out`);
  out.push(formatComparison(cmpRows));
  out.push(...gpuRatioLines(lutRow, `${lut.variant}, emulated`, gpus.filter((g) => !g.system.endsWith('roofline bound'))));
  // Like for like: both V80 designs by the same analytical model (they differ in the linear layers only).
  out.push(...gpuRatioLines(cmpRows[1]!, 'analytical', [cmpRows[2]!]));

  if (o.prefillSweep) out.push('', prefillSweepText(o.model, o.platform, o.prefillSweep));

  // ---- roofline points
  if (o.roofline) {
    const mid = o.prompt + Math.floor((o.output - 1) / 2);
    for (const g of Object.values(GPU_BASELINES)) {
      out.push('');
      out.push(`roofline points, decode (1 token at context ${mid}), one instance of each op: ${g.name} vs ${o.platform.name} (LUT-LLM)`);
      out.push(formatRooflinePoints(layerRooflinePoints(g, o.model, o.platform, { context: mid })));
      out.push('');
      out.push(`roofline points, prefill (${o.prompt} tokens): ${g.name} vs ${o.platform.name} (LUT-LLM)`);
      out.push(formatRooflinePoints(layerRooflinePoints(g, o.model, o.platform, { tokens: o.prompt, context: o.prompt })));
    }
  }
  (o.json === '-' ? io.err : io.out)(out.join('\n'));
  if (o.json !== undefined) {
    writeOutput('--json', o.json, reportJson({ whatIf: !feasibility.feasible, feasibility, variants: reports, comparison: cmpRows, ...(calibration ? { gpuCalibration: calibration } : {}) }), io);
    writtenNote(io, o.json, 'reports (JSON, trace events and wall times omitted)');
  }
  io.err(`(emulated ${reports.reduce((a, r) => a + r.prefill.length + r.decodeSamples.length, 0)} passes in ${(reports.reduce((a, r) => a + r.wallMs, 0) / 1e3).toFixed(1)} s wall time)`);
  return { reports, rows: cmpRows };
}

function bottleneckCell(passes: readonly { readonly bottleneck: { readonly name: string; readonly utilisation: number } }[]): string {
  const p = passes[passes.length - 1];
  return p ? `${p.bottleneck.name} ${(100 * p.bottleneck.utilisation).toFixed(1)}%` : '-';
}
