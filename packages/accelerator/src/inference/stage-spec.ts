import { ATTENTION_PLUGINS } from '@lut-llm/attention';
import { bpcsuPlugin } from '@lut-llm/centroid-search';
import { resolveStageGraphSpec, stageRegistry, StageRegistryError, type StageGraphSpec, type StageKind, type StageRegistry, type LinearVariant } from '@lut-llm/contracts';
import { int32AccumulatorPlugin } from '@lut-llm/accumulator';
import { dequantizerPlugin } from '@lut-llm/dequantizer';
import { KV_PREFETCHER_PLUGINS } from '@lut-llm/kv-prefetcher';
import { LUT_PSUM_PLUGINS } from '@lut-llm/lut-psum';
import { streamingSfuPlugin } from '@lut-llm/sfu';
import { loadPlatformConfig, type PlatformConfig, type StageParamValue } from '../platform/index.js';

/**
 * The reference implementation of each stage kind (what a pass uses when a graph spec leaves the
 * kind out). Importing the stage packages here also registers every shipped implementation.
 */
export const REFERENCE_STAGE_IMPLEMENTATIONS: Readonly<Record<StageKind, string>> = Object.freeze({
  'centroid-search': bpcsuPlugin.name,
  'lut-psum': LUT_PSUM_PLUGINS[0].name,
  accumulator: int32AccumulatorPlugin.name,
  dequantizer: dequantizerPlugin.name,
  attention: ATTENTION_PLUGINS[0]!.name,
  sfu: streamingSfuPlugin.name,
  'kv-prefetcher': KV_PREFETCHER_PLUGINS[0].name,
});

/** What a graph spec changes in a pass: the platform's stage overrides, and the variant and prefetch choices it implies. */
export interface AppliedStageSpec {
  readonly platform: PlatformConfig;
  /** Set when the spec's LUT-PSum implementation fixes the LUTLinear variant. */
  readonly variant?: LinearVariant;
  /** Set when the spec names a KV prefetcher implementation. */
  readonly prefetch?: boolean;
  /** The implementation of every kind (the reference's where the spec is silent), for reports. */
  readonly implementations: Readonly<Record<StageKind, string>>;
}

/**
 * The implementation of each kind a platform runs without a spec: the reference's, or the
 * platform's own `stages[kind].implementation` (the V80 presets select 'as-built' attention).
 * `--set stages.<kind>.<param>` without an impl configures this one.
 */
export function platformStageImplementations(platform: PlatformConfig): Record<StageKind, string> {
  const implementations = { ...REFERENCE_STAGE_IMPLEMENTATIONS };
  for (const kind of ['centroid-search', 'attention', 'lut-psum', 'accumulator', 'dequantizer'] as const) {
    const own = platform.stages[kind]?.[STAGE_IMPLEMENTATION_KEY];
    if (typeof own === 'string') implementations[kind] = own;
  }
  for (const kind of PLUGIN_KEY_KINDS) {
    const own = platform.stages[kind]?.[STAGE_PLUGIN_KEY];
    if (typeof own === 'string') implementations[kind] = own;
  }
  return implementations;
}

/** The `implementation` key the accelerator reads from `platform.stages[kind]`, for kinds with several installable implementations. */
export const STAGE_IMPLEMENTATION_KEY = 'implementation';

/**
 * The key naming a plugin implementation of attention, the SFU or the KV prefetcher in
 * `platform.stages[kind]` (their own parameter `implementation`, where it exists, is a hardware
 * choice of the shipped unit). The pass graph installs such a plugin through the registry.
 */
export const STAGE_PLUGIN_KEY = 'plugin';

/**
 * Implementations the accelerator builds on its own paths (variants, platform fields, the prefetch
 * option); any other registered name is a plugin, installed through the registry (its
 * `hooks.install`, `hooks.linear` or `actor`).
 */
export const NATIVE_STAGE_IMPLEMENTATIONS: Readonly<Record<StageKind, readonly string[]>> = Object.freeze({
  'centroid-search': [],
  'lut-psum': LUT_PSUM_PLUGINS.map((p) => p.name),
  accumulator: [int32AccumulatorPlugin.name, 'fp32'],
  dequantizer: [dequantizerPlugin.name],
  attention: ATTENTION_PLUGINS.map((p) => p.name),
  sfu: [streamingSfuPlugin.name],
  'kv-prefetcher': KV_PREFETCHER_PLUGINS.map((p) => p.name),
});

/** Kinds whose plugin choice is recorded under `STAGE_PLUGIN_KEY` (the others under `STAGE_IMPLEMENTATION_KEY`). */
const PLUGIN_KEY_KINDS: readonly StageKind[] = ['attention', 'sfu', 'kv-prefetcher'];

/**
 * Applies a graph spec to a platform (names and parameters checked against the registry; errors
 * list what is available):
 * - parameters go to `platform.stages[kind]` (over the platform's own), where the pass graph
 *   already reads them;
 * - centroid search and attention: `platform.stages[kind].implementation`;
 * - LUT PSum: its implementation fixes the variant (2D tables: co-quant, 1D: activation-only,
 *   weight-only ones: weight-only); the accumulator must then be the variant's (INT32 for
 *   co-quant, FP32 otherwise);
 * - KV prefetcher: 'prefetch' or 'on-demand' (the pass's `prefetch` option; a plugin states
 *   its own with `hooks.prefetch`: false when it reads a trigger per layer);
 * - a plugin implementation (any name not in NATIVE_STAGE_IMPLEMENTATIONS, from any package):
 *   `implementation` (LUTLinear stages) or `plugin` (attention, SFU, KV prefetcher) names it;
 *   the pass graph installs it through the registry.
 */
export function applyStageSpec(platform: PlatformConfig, spec: StageGraphSpec, registry: StageRegistry = stageRegistry): AppliedStageSpec {
  const chosen = resolveStageGraphSpec(spec, registry);
  const stages: Record<string, Record<string, StageParamValue>> = {};
  for (const [kind, c] of Object.entries(chosen) as [StageKind, NonNullable<(typeof chosen)[StageKind]>][]) {
    const params: Record<string, StageParamValue> = {};
    for (const [k, v] of Object.entries(c.overrides)) {
      if (typeof v !== 'number' && typeof v !== 'string' && typeof v !== 'boolean') throw new StageRegistryError(`stages.${kind}.params.${k}: expected a number, a string or a boolean`);
      params[k] = v;
    }
    const native = NATIVE_STAGE_IMPLEMENTATIONS[kind].includes(c.plugin.name);
    if (kind === 'centroid-search' || kind === 'lut-psum' || (!native && (kind === 'accumulator' || kind === 'dequantizer'))) params[STAGE_IMPLEMENTATION_KEY] = c.plugin.name;
    if (!native && PLUGIN_KEY_KINDS.includes(kind)) params[STAGE_PLUGIN_KEY] = c.plugin.name;
    // Parameters an implementation fixes (attention: its unit and decode algorithm).
    Object.assign(params, (c.plugin.hooks?.['platformParams'] as Record<string, StageParamValue> | undefined) ?? {});
    if (kind !== 'kv-prefetcher' || Object.keys(params).length > 0) stages[kind] = { ...(platform.stages[kind] ?? {}), ...params };
  }
  const psum = chosen['lut-psum']?.plugin.hooks;
  const variant = psum?.['variant'] as LinearVariant | undefined;
  const acc = chosen.accumulator?.plugin;
  if (acc !== undefined) {
    // An accumulator states the partial sums it adds (hooks.numeric; the shipped ones are named after it).
    const numeric = (acc.hooks?.['numeric'] as string | undefined) ?? acc.name;
    const needs = (variant ?? 'co-quant') === 'co-quant' ? 'int32' : 'fp32';
    if (numeric !== needs) {
      throw new StageRegistryError(`stages.accumulator: '${acc.name}' (${numeric}) cannot sum the partial sums of LUT PSum '${chosen['lut-psum']?.plugin.name ?? REFERENCE_STAGE_IMPLEMENTATIONS['lut-psum']}' (it needs '${needs}')`);
    }
  }
  const pf = chosen['kv-prefetcher']?.plugin.hooks?.['prefetch'] as boolean | undefined;
  const implementations = { ...platformStageImplementations(platform) };
  for (const [kind, c] of Object.entries(chosen)) implementations[kind as StageKind] = c!.plugin.name;
  if (variant !== undefined && variant !== 'co-quant' && chosen.accumulator === undefined) implementations.accumulator = 'fp32';
  return {
    platform: Object.keys(stages).length > 0 ? loadPlatformConfig({ stages }, { base: platform }) : platform,
    ...(variant !== undefined ? { variant } : {}),
    ...(pf !== undefined ? { prefetch: pf } : {}),
    implementations,
  };
}
