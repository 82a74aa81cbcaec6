import { builtLimitViolations, checkFeasibility, PassLanes, prefillChunkTokensOf, runInferencePooled, type InferenceOptions, type InferenceReport, type PassPool, type PlatformConfig } from '@lut-llm/accelerator';
import type { Qwen3Config } from '@lut-llm/model';
import { pointHash, resolvePoint, type PointSpec } from './grid.js';
import { estimateOnChip, ON_CHIP_NOT_MODELLED, type OnChipEstimate } from './resources.js';
import { accuracyProxyAsync, type AccuracyProxy } from './accuracy.js';

/**
 * The result of one point: plain data (JSON), keyed by {@link pointHash}.
 * - 'ok': fits the platform (HBM capacity, built limits, on-chip estimate);
 * - 'infeasible': emulated as a what-if, `reasons` say what does not fit;
 * - 'invalid': the settings do not make a design (a value out of range, a conflict): no figures.
 */
export interface PointResult {
  readonly hash: string;
  readonly settings: PointSpec['settings'];
  readonly model: string;
  readonly status: 'ok' | 'infeasible' | 'invalid';
  readonly reasons: readonly string[];
  readonly ttftMs: number | null;
  readonly decodeMsPerToken: number | null;
  readonly e2eMs: number | null;
  readonly tokensPerJoule: number | null;
  readonly onChip: Omit<OnChipEstimate, 'banks' | 'problems'> | null;
  readonly onChipNote: string;
  /** The accuracy proxy of the point's VQ configuration and variant ({@link accuracyProxy}); null when invalid. */
  readonly accuracy: AccuracyProxy | null;
}

/** A point that resolved and is waiting for its latency. */
export type ReadyPoint = Exclude<PreparedPoint, { readonly done: PointResult }>;

/** Latency and energy of a point (InferenceReport's fields the sweep keeps). */
type PointLatency = Pick<InferenceReport, 'ttftMs' | 'decodeMsPerToken' | 'e2eMs' | 'tokensPerJoule'>;

/** A point resolved and checked, waiting for its latency; or its final result when it is invalid. */
export type PreparedPoint =
  | { readonly done: PointResult }
  | {
      readonly done?: undefined;
      readonly hash: string;
      readonly point: PointSpec;
      readonly model: Qwen3Config;
      readonly platform: PlatformConfig;
      /** The request as runInference takes it (what-if beyond the built limits: reasons say so). */
      readonly inference: InferenceOptions;
      /** The result from the emulated latency and the accuracy proxy ({@link accuracyOf}). */
      readonly finish: (latency: PointLatency, accuracy: AccuracyProxy) => PointResult;
    };

/**
 * Everything of a point but its emulation and accuracy proxy: resolution, feasibility, the on-chip
 * estimate. Never throws for a bad point: it becomes 'invalid'.
 */
export function preparePoint(p: PointSpec): PreparedPoint {
  const hash = pointHash(p);
  const invalid = (model: string, e: unknown): { done: PointResult } => ({ done: invalidResult(p, hash, model, e) });
  let resolved;
  try {
    resolved = resolvePoint(p);
  } catch (e) {
    return invalid(String(p.settings.model ?? 'Qwen3-1.7B'), e);
  }
  const { model, platform } = resolved;
  const r = p.request;
  const positions = r.promptTokens + r.outputTokens;
  const chunk = r.prefillChunkTokens ?? prefillChunkTokensOf(platform);
  try {
    const onChip = estimateOnChip(model, platform, { positions, variant: r.variant });
    const reasons = [...checkFeasibility(model, platform, { positions }).problems, ...builtLimitViolations(platform, r.promptTokens, r.outputTokens, chunk), ...onChip.problems];
    const { banks: _b, problems: _p, ...chip } = onChip;
    const inference: InferenceOptions = {
      model,
      platform,
      variant: r.variant,
      promptTokens: r.promptTokens,
      outputTokens: r.outputTokens,
      decodeSamples: r.decodeSamples,
      prefillChunkTokens: chunk,
      ...(r.layers !== undefined ? { layers: r.layers } : {}),
      beyondBuiltLimits: true,
    };
    const finish = (report: PointLatency, accuracy: AccuracyProxy): PointResult => ({
      hash,
      settings: p.settings,
      model: model.name,
      status: reasons.length > 0 ? 'infeasible' : 'ok',
      reasons,
      ttftMs: report.ttftMs,
      decodeMsPerToken: Number.isFinite(report.decodeMsPerToken) ? report.decodeMsPerToken : null,
      e2eMs: report.e2eMs,
      tokensPerJoule: Number.isFinite(report.tokensPerJoule) ? report.tokensPerJoule : null,
      onChip: chip,
      onChipNote: ON_CHIP_NOT_MODELLED,
      accuracy,
    });
    return { hash, point: p, model, platform, inference, finish };
  } catch (e) {
    return invalid(model.name, e);
  }
}

/** The accuracy proxy of a prepared point's VQ configuration and variant, computed off the event loop. */
export function accuracyOf(prep: ReadyPoint): Promise<AccuracyProxy> {
  return accuracyProxyAsync(prep.platform.vq, prep.point.request.variant);
}

/** The result of a point whose settings make no design: the error, no figures. */
export function invalidResult(p: PointSpec, hash: string, model: string, e: unknown): PointResult {
  return { hash, settings: p.settings, model, status: 'invalid', reasons: [(e as Error).message], ttftMs: null, decodeMsPerToken: null, e2eMs: null, tokensPerJoule: null, onChip: null, onChipNote: ON_CHIP_NOT_MODELLED, accuracy: null };
}

/** A failure of the machinery (the pool), not of the point: it must propagate. */
export function isMachineryFailure(e: unknown): boolean {
  return /pass pool is closed|pass lanes are closed|failed in a pass worker|accuracy thread/.test((e as Error).message);
}

/** Emulates one point (its passes on `pool`, or serially without one). Never throws for a bad point: it becomes 'invalid'. */
export async function evaluatePoint(p: PointSpec, opts: { readonly pool?: PassPool | PassLanes } = {}): Promise<PointResult> {
  return evaluatePrepared(preparePoint(p), opts);
}

/** {@link evaluatePoint} of a point already prepared. */
export async function evaluatePrepared(prep: PreparedPoint, opts: { readonly pool?: PassPool | PassLanes } = {}): Promise<PointResult> {
  if (prep.done) return prep.done;
  const p = prep.point;
  try {
    const accuracy = accuracyOf(prep);
    accuracy.catch(() => {}); // awaited below; an emulation failure first must not leave it unhandled
    const pool = opts.pool instanceof PassLanes ? { passLanes: opts.pool } : opts.pool ? { passPool: opts.pool } : { passWorkers: 0 };
    const report = await runInferencePooled({ ...prep.inference, ...pool });
    return prep.finish(report, await accuracy);
  } catch (e) {
    if (isMachineryFailure(e)) throw e;
    return invalidResult(p, prep.hash, prep.model.name, e);
  }
}
