import { builtLimitViolations, checkFeasibility, PassLanes, prefillChunkTokensOf, runInferencePooled, type PassPool } from '@lut-llm/accelerator';
import { pointHash, resolvePoint, type PointSpec } from './grid.js';
import { estimateOnChip, ON_CHIP_NOT_MODELLED, type OnChipEstimate } from './resources.js';

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
}

/** Emulates one point (its passes on `pool`, or serially without one). Never throws for a bad point: it becomes 'invalid'. */
export async function evaluatePoint(p: PointSpec, opts: { readonly pool?: PassPool | PassLanes } = {}): Promise<PointResult> {
  const hash = pointHash(p);
  const empty = { ttftMs: null, decodeMsPerToken: null, e2eMs: null, tokensPerJoule: null, onChip: null, onChipNote: ON_CHIP_NOT_MODELLED };
  let resolved;
  try {
    resolved = resolvePoint(p);
  } catch (e) {
    return { hash, settings: p.settings, model: String(p.settings.model ?? 'Qwen3-1.7B'), status: 'invalid', reasons: [(e as Error).message], ...empty };
  }
  const { model, platform } = resolved;
  const r = p.request;
  const positions = r.promptTokens + r.outputTokens;
  const chunk = r.prefillChunkTokens ?? prefillChunkTokensOf(platform);
  try {
    const onChip = estimateOnChip(model, platform, { positions, variant: r.variant });
    const reasons = [...checkFeasibility(model, platform, { positions }).problems, ...builtLimitViolations(platform, r.promptTokens, r.outputTokens, chunk), ...onChip.problems];
    const report = await runInferencePooled({
      model,
      platform,
      variant: r.variant,
      promptTokens: r.promptTokens,
      outputTokens: r.outputTokens,
      decodeSamples: r.decodeSamples,
      prefillChunkTokens: chunk,
      ...(r.layers !== undefined ? { layers: r.layers } : {}),
      beyondBuiltLimits: true,
      ...(opts.pool instanceof PassLanes ? { passLanes: opts.pool } : opts.pool ? { passPool: opts.pool } : { passWorkers: 0 }),
    });
    const { banks: _b, problems: _p, ...chip } = onChip;
    return {
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
    };
  } catch (e) {
    if (/pass pool is closed|pass lanes are closed|failed in a pass worker/.test((e as Error).message)) throw e; // the machinery failed, not the point
    return { hash, settings: p.settings, model: model.name, status: 'invalid', reasons: [(e as Error).message], ...empty };
  }
}
