import type { PlatformConfig, StageParamValue } from './schema.js';

/** The overrides the platform gives for `stage` (an empty record when none). */
export function stageOverrides(cfg: PlatformConfig, stage: string): Readonly<Record<string, StageParamValue>> {
  return Object.hasOwn(cfg.stages, stage) ? cfg.stages[stage]! : {};
}

/**
 * A numeric stage parameter: the platform's override of `stage.key` when present, else `fallback`.
 * Throws a RangeError naming `platform.stages.<stage>.<key>` when the override is not a number
 * or fails `check` (described by `expected`, e.g. "an integer >= 1"). Never clamps.
 */
export function stageNumber(
  cfg: PlatformConfig,
  stage: string,
  key: string,
  fallback: number,
  expected = 'an integer >= 1',
  check: (v: number) => boolean = (v) => Number.isInteger(v) && v >= 1,
): number {
  const overrides = stageOverrides(cfg, stage);
  if (!Object.hasOwn(overrides, key)) return fallback;
  const value = overrides[key];
  if (typeof value !== 'number' || !check(value)) {
    throw new RangeError(`platform.stages[${JSON.stringify(stage)}].${key}: expected ${expected}, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Prompt tokens per prefill pass when a platform does not set
 * `stages["lut-linear"].prefillChunkTokens`: 128, the reference design's MAX_SEQ_LEN (the paper
 * is silent). The emulator, the analytical model and the CLI all read it through
 * `prefillChunkTokensOf`.
 */
export const DEFAULT_PREFILL_CHUNK_TOKENS = 128;

/** Prompt tokens per prefill pass on a platform (checked: an integer >= 1). */
export function prefillChunkTokensOf(cfg: PlatformConfig): number {
  return stageNumber(cfg, 'lut-linear', 'prefillChunkTokens', DEFAULT_PREFILL_CHUNK_TOKENS);
}
