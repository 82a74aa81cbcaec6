import type { Qwen3Config } from '@lut-llm/model';
import { GPU_BASELINES, type GpuBaselineName, type GpuSpec } from './gpu-specs.js';
import { GPU_WEIGHT_FORMATS, gpuPassKernels, timeGpuPass, type GpuLatencyParams, type GpuWeightFormat } from './gpu-latency.js';

/**
 * Calibration of the GPU latency model on a user's own measurements (`--gpu-measured file.json`).
 *
 * Free parameters (GPU_FREE_PARAMETERS): kernelOverheadSeconds (theta) and hbmEfficiency (eta).
 * Everything else (GEMM tiling, FlashAttention efficiency, de-quantisation factor, kernel counts)
 * stays as modelled. A request's modelled latency is
 *   sum over its kernel instances of max(m_k / eta, c_k) + K x theta
 * (m_k: memory seconds at peak bandwidth, c_k: compute seconds, K: launches), which is linear in
 * (x = 1 / eta, theta) once each kernel's bound is fixed. The fit alternates: fix the bounds at
 * the current eta, solve the 2 x 2 linear least-squares problem, re-decide the bounds, until the
 * bound set stops changing. A fit outside the parameters' physical range (eta > 1, theta < 0) is
 * refused with the fitted values, never clamped.
 */

/** One measured request: prompt and output lengths, end-to-end latency (prefill + all decode steps). */
export interface GpuMeasuredPoint {
  readonly promptTokens: number;
  readonly outputTokens: number;
  readonly latencyMs: number;
  /** Optional time to first token (the prefill alone): a second equation from the same request. */
  readonly ttftMs?: number;
}

/** The `--gpu-measured` file. */
export interface GpuMeasurements {
  readonly gpu: GpuBaselineName;
  readonly format: GpuWeightFormat;
  /** Free text: where the numbers come from (framework, version, date). */
  readonly source?: string;
  readonly points: readonly GpuMeasuredPoint[];
}

export class GpuCalibrationError extends Error {
  override readonly name = 'GpuCalibrationError';
}

const FILE_KEYS = ['gpu', 'format', 'source', 'points'];
const POINT_KEYS = ['promptTokens', 'outputTokens', 'latencyMs', 'ttftMs'];

/**
 * Parses and validates a measurements file; every problem is named with its path ("points[2].latencyMs").
 * Example: `{ "gpu": "a100", "format": "bf16", "points": [{ "promptTokens": 128, "outputTokens": 128, "latencyMs": 900 }, ...] }`.
 */
export function parseGpuMeasurements(text: string, origin = 'measurements'): GpuMeasurements {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new GpuCalibrationError(`${origin}: not valid JSON (${(e as Error).message})`);
  }
  const problems: string[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new GpuCalibrationError(`${origin}: expected a JSON object with gpu, format and points`);
  const o = raw as Record<string, unknown>;
  for (const k of Object.keys(o)) if (!FILE_KEYS.includes(k)) problems.push(`${k}: unknown key (known: ${FILE_KEYS.join(', ')})`);
  const gpuNames = Object.keys(GPU_BASELINES);
  if (typeof o['gpu'] !== 'string' || !gpuNames.includes(o['gpu'])) problems.push(`gpu must be one of ${gpuNames.join(', ')}, got ${JSON.stringify(o['gpu'])}`);
  if (typeof o['format'] !== 'string' || !(GPU_WEIGHT_FORMATS as readonly string[]).includes(o['format'])) {
    problems.push(`format must be one of ${GPU_WEIGHT_FORMATS.join(', ')}, got ${JSON.stringify(o['format'])}`);
  }
  if (o['source'] !== undefined && typeof o['source'] !== 'string') problems.push('source must be a string');
  const points: GpuMeasuredPoint[] = [];
  if (!Array.isArray(o['points'])) problems.push(`points must be an array of { promptTokens, outputTokens, latencyMs }, got ${JSON.stringify(o['points'])}`);
  else {
    o['points'].forEach((p: unknown, i) => {
      if (typeof p !== 'object' || p === null || Array.isArray(p)) {
        problems.push(`points[${i}] must be an object { promptTokens, outputTokens, latencyMs }`);
        return;
      }
      const q = p as Record<string, unknown>;
      for (const k of Object.keys(q)) if (!POINT_KEYS.includes(k)) problems.push(`points[${i}].${k}: unknown key (known: ${POINT_KEYS.join(', ')})`);
      for (const k of ['promptTokens', 'outputTokens'] as const) {
        if (!Number.isSafeInteger(q[k]) || (q[k] as number) < 1) problems.push(`points[${i}].${k} must be an integer >= 1, got ${JSON.stringify(q[k])}`);
      }
      if (typeof q['latencyMs'] !== 'number' || !Number.isFinite(q['latencyMs']) || q['latencyMs'] <= 0) {
        problems.push(`points[${i}].latencyMs must be a number > 0, got ${JSON.stringify(q['latencyMs'])}`);
      }
      if (q['ttftMs'] !== undefined) {
        if (typeof q['ttftMs'] !== 'number' || !Number.isFinite(q['ttftMs']) || q['ttftMs'] <= 0) problems.push(`points[${i}].ttftMs must be a number > 0, got ${JSON.stringify(q['ttftMs'])}`);
        else if (typeof q['latencyMs'] === 'number' && q['ttftMs'] > q['latencyMs']) problems.push(`points[${i}].ttftMs (${q['ttftMs']}) exceeds its end-to-end latencyMs (${q['latencyMs']})`);
      }
      points.push(q as unknown as GpuMeasuredPoint);
    });
    const n = measurementCount(points);
    if (n < GPU_MIN_MEASUREMENTS) {
      problems.push(`points: at least ${GPU_MIN_MEASUREMENTS} measurements (latencyMs, and ttftMs where given) are needed to fit 2 free parameters, got ${n}`);
    }
  }
  if (problems.length > 0) throw new GpuCalibrationError(`${origin}: ${problems.join('; ')}`);
  return Object.freeze({
    gpu: o['gpu'] as GpuBaselineName,
    format: o['format'] as GpuWeightFormat,
    ...(o['source'] !== undefined ? { source: o['source'] as string } : {}),
    points: Object.freeze(
      points.map((p) => Object.freeze({ promptTokens: p.promptTokens, outputTokens: p.outputTokens, latencyMs: p.latencyMs, ...(p.ttftMs !== undefined ? { ttftMs: p.ttftMs } : {}) })),
    ),
  });
}

/** Measurements needed: one more than the free parameters, so that a residual is left to judge the fit. */
export const GPU_MIN_MEASUREMENTS = 3;

function measurementCount(points: readonly Partial<GpuMeasuredPoint>[]): number {
  return points.reduce((n, p) => n + 1 + (p.ttftMs !== undefined ? 1 : 0), 0);
}

/** Per kernel instance of a request: count x memory seconds at peak, count x compute seconds. */
interface RequestTerms {
  readonly mem: Float64Array;
  readonly comp: Float64Array;
  readonly launches: number;
}

/** Terms of a request's passes: the prefill (`steps` 0) or the prefill and its `outputTokens - 1` decode steps. */
function requestTerms(gpu: GpuSpec, model: Qwen3Config, format: GpuWeightFormat, p: GpuLatencyParams, pt: Omit<GpuMeasuredPoint, 'latencyMs'>, prefillOnly = false): RequestTerms {
  const mem: number[] = [];
  const comp: number[] = [];
  let launches = 0;
  const add = (tokens: number, context: number) => {
    const pass = timeGpuPass(gpu, gpuPassKernels(model, format, p, tokens, context), p, tokens, context);
    launches += pass.launches;
    for (const k of pass.kernels) {
      mem.push(k.count * k.memorySecondsAtPeak);
      comp.push(k.count * k.computeSeconds);
    }
  };
  add(pt.promptTokens, pt.promptTokens);
  if (!prefillOnly) for (let s = 1; s < pt.outputTokens; s++) add(1, pt.promptTokens + s);
  return { mem: Float64Array.from(mem), comp: Float64Array.from(comp), launches };
}

/** Modelled seconds of a request from its terms at (eta, theta). */
function modelSeconds(t: RequestTerms, eta: number, theta: number): number {
  let s = t.launches * theta;
  for (let i = 0; i < t.mem.length; i++) s += Math.max(t.mem[i]! / eta, t.comp[i]!);
  return s;
}

export interface GpuCalibrationResidual {
  readonly point: GpuMeasuredPoint;
  /** What was measured: the end-to-end latency, or the TTFT. */
  readonly quantity: 'latency' | 'ttft';
  readonly measuredMs: number;
  /** With the default (modelled) parameters. */
  readonly modelledMs: number;
  /** With the fitted parameters. */
  readonly calibratedMs: number;
  /** calibrated - measured. */
  readonly residualMs: number;
}

export interface GpuCalibration {
  readonly gpu: GpuBaselineName;
  readonly format: GpuWeightFormat;
  readonly source: string | undefined;
  readonly defaults: GpuLatencyParams;
  /** The defaults with the free parameters replaced by the fit. */
  readonly params: GpuLatencyParams;
  readonly freeParameters: readonly string[];
  readonly iterations: number;
  readonly residuals: readonly GpuCalibrationResidual[];
  /** Root mean square of the residuals relative to the measurements. */
  readonly rmsRelativeResidual: number;
}

/**
 * Fits kernelOverheadSeconds and hbmEfficiency to measured points (see the module comment).
 * Throws GpuCalibrationError when the points cannot separate the two (too few, or all with the
 * same mix of memory time and launches) or when the fit leaves the physical range.
 */
export function calibrateGpuLatency(model: Qwen3Config, m: GpuMeasurements, defaults: GpuLatencyParams): GpuCalibration {
  const gpu = GPU_BASELINES[m.gpu];
  const n = measurementCount(m.points);
  if (n < GPU_MIN_MEASUREMENTS) throw new GpuCalibrationError(`at least ${GPU_MIN_MEASUREMENTS} measurements are needed, got ${n}`);
  // One equation per measurement: each point's end-to-end latency, and its TTFT where given.
  const rows = m.points.flatMap((pt) => [
    { pt, quantity: 'latency' as const, y: pt.latencyMs / 1e3, terms: requestTerms(gpu, model, m.format, defaults, pt) },
    ...(pt.ttftMs !== undefined ? [{ pt, quantity: 'ttft' as const, y: pt.ttftMs / 1e3, terms: requestTerms(gpu, model, m.format, defaults, pt, true) }] : []),
  ]);
  const terms = rows.map((r) => r.terms);
  const y = rows.map((r) => r.y);
  let eta = defaults.hbmEfficiency;
  let theta = defaults.kernelOverheadSeconds;
  let bounds = '';
  let iterations = 0;
  for (; iterations < 50; iterations++) {
    // Rows: a_i x + K_i theta = y_i - c_i, with a_i the memory seconds of memory-bound instances at eta.
    let saa = 0, sak = 0, skk = 0, say = 0, sky = 0;
    let key = '';
    for (let i = 0; i < terms.length; i++) {
      const t = terms[i]!;
      let a = 0, c = 0;
      for (let j = 0; j < t.mem.length; j++) {
        const memBound = t.mem[j]! / eta >= t.comp[j]!;
        key += memBound ? '1' : '0';
        if (memBound) a += t.mem[j]!;
        else c += t.comp[j]!;
      }
      const r = y[i]! - c;
      // Scale each row by 1 / y_i: least squares on relative errors, so long requests do not drown short ones.
      const w = 1 / y[i]!;
      const aw = a * w, kw = t.launches * w, rw = r * w;
      saa += aw * aw; sak += aw * kw; skk += kw * kw; say += aw * rw; sky += kw * rw;
    }
    const det = saa * skk - sak * sak;
    if (!(Math.abs(det) > 1e-9 * saa * skk)) {
      throw new GpuCalibrationError(
        'the points cannot separate the per-kernel overhead from the HBM efficiency (every measurement has the same mix of ' +
          'memory time and kernel launches): add points with different prompt and output lengths (e.g. a long prompt with 1 output token), or their ttftMs',
      );
    }
    const x = (say * skk - sak * sky) / det;
    theta = (saa * sky - sak * say) / det;
    if (!(x > 0)) throw new GpuCalibrationError(`the fit gives a non-positive memory time factor (1 / hbmEfficiency = ${x}): the points contradict the model`);
    eta = 1 / x;
    if (key === bounds) break;
    bounds = key;
  }
  if (eta > 1) throw new GpuCalibrationError(`the fit gives hbmEfficiency = ${eta.toFixed(4)} > 1 (faster than the HBM peak): the points are faster than the model's byte counts allow`);
  if (theta < 0) throw new GpuCalibrationError(`the fit gives kernelOverheadSeconds = ${theta.toExponential(3)} < 0: the points contradict the model (check the units: latencyMs is milliseconds, end to end)`);
  const params: GpuLatencyParams = Object.freeze({ ...defaults, hbmEfficiency: eta, kernelOverheadSeconds: theta });
  const residuals = rows.map((r): GpuCalibrationResidual => {
    const calibratedMs = modelSeconds(r.terms, eta, theta) * 1e3;
    const measuredMs = r.y * 1e3;
    return Object.freeze({
      point: r.pt, quantity: r.quantity, measuredMs,
      modelledMs: modelSeconds(r.terms, defaults.hbmEfficiency, defaults.kernelOverheadSeconds) * 1e3,
      calibratedMs, residualMs: calibratedMs - measuredMs,
    });
  });
  const rms = Math.sqrt(residuals.reduce((s, r) => s + (r.residualMs / r.measuredMs) ** 2, 0) / residuals.length);
  return Object.freeze({
    gpu: m.gpu, format: m.format, source: m.source, defaults, params,
    freeParameters: Object.freeze(['kernelOverheadSeconds', 'hbmEfficiency']),
    iterations: iterations + 1, residuals: Object.freeze(residuals), rmsRelativeResidual: rms,
  });
}

/** Modelled end-to-end milliseconds of each point with `p` (used to make test points and to print residuals). */
export function gpuRequestMs(model: Qwen3Config, gpu: GpuBaselineName, format: GpuWeightFormat, p: GpuLatencyParams, pt: Omit<GpuMeasuredPoint, 'latencyMs' | 'ttftMs'>, quantity: 'latency' | 'ttft' = 'latency'): number {
  const t = requestTerms(GPU_BASELINES[gpu], model, format, p, pt, quantity === 'ttft');
  return modelSeconds(t, p.hbmEfficiency, p.kernelOverheadSeconds) * 1e3;
}
