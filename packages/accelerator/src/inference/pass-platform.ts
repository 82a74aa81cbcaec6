import { stageRegistry, type LinearVariant, type StagePlugin } from '@lut-llm/contracts';
import { STAGE_PLUGIN_KEY } from './stage-spec.js';
import { prefillChunkTokensOf, platformChannelBytesPerCycle, stageNumber, stageOverrides, type PlatformConfig } from '../platform/index.js';
import { type LutLinearOptions, type WeightOnlyImplementation } from '../lut-linear/options.js';

/*
 * What a platform file configures in the pass graph: the stages it may name, the keys the graph
 * reads itself, and the LUTLinear options of one op (split from pass-graph.ts: the graph's wiring
 * stays there).
 */

/** Stages a platform file may configure for the pass graph, and the keys the graph itself reads. */
export const PASS_STAGES = ['lut-linear', 'centroid-search', 'lut-psum', 'accumulator', 'dequantizer', 'sfu', 'attention', 'kv-prefetcher'] as const;
const LUT_LINEAR_STAGE_KEYS = ['positionLanes', 'outputLanes', 'prefillChunkTokens'] as const;
const KV_PREFETCHER_STAGE_KEYS = ['bufferChunks'] as const;
/** LUTLinear FIFO names a depth override may use (they apply to every op's stream of that name). */
export const LUT_LINEAR_FIFO_NAMES = ['activations', 'centroids', 'activation-indices', 'weight-tiles', 'scales', 'psums', 'accumulated', 'outputs'];

function checkStageKeys(platform: PlatformConfig, stage: string, known: readonly string[]): void {
  for (const k of Object.keys(stageOverrides(platform, stage))) {
    if (!known.includes(k)) throw new RangeError(`platform.stages["${stage}"].${k}: unknown parameter (known: ${known.join(', ')})`);
  }
}

/** Unknown stage names and the graph's own stage keys are errors, not silently ignored settings. */
export function checkPassPlatform(platform: PlatformConfig): void {
  for (const stage of Object.keys(platform.stages)) {
    if (!(PASS_STAGES as readonly string[]).includes(stage)) throw new RangeError(`platform.stages["${stage}"]: unknown stage (known: ${PASS_STAGES.join(', ')})`);
  }
  checkStageKeys(platform, 'lut-linear', LUT_LINEAR_STAGE_KEYS);
  // A plugin prefetcher's parameters were checked by its own schema (stage-spec.ts).
  if (stageOverrides(platform, 'kv-prefetcher')[STAGE_PLUGIN_KEY] === undefined) checkStageKeys(platform, 'kv-prefetcher', KV_PREFETCHER_STAGE_KEYS);
  prefillChunkTokensOf(platform);
  stageNumber(platform, 'kv-prefetcher', 'bufferChunks', 4);
}

/**
 * LUTLinear options for one op on a platform: clock, HBM plan, VQ numerics, stage overrides
 * (`platform.stages["lut-linear"|"centroid-search"|"lut-psum"|"accumulator"|"dequantizer"]`) and
 * FIFO depth overrides by stream name.
 */
export function lutLinearOptionsFor(platform: PlatformConfig, op: string, outFeatures: number, inFeatures: number, tokens: number, variant: LinearVariant): LutLinearOptions {
  checkStageKeys(platform, 'lut-linear', LUT_LINEAR_STAGE_KEYS);
  const depths: Record<string, number> = {};
  const keys = { activations: 'activations', centroids: 'centroids', activationIndices: 'activation-indices', weightTiles: 'weight-tiles', scales: 'scales', psums: 'psums', accumulated: 'accumulated', outputs: 'outputs' } as const;
  for (const [k, name] of Object.entries(keys)) if (Object.hasOwn(platform.fifoDepthOverrides, name)) depths[k] = platform.fifoDepthOverrides[name]!;
  return {
    outFeatures,
    inFeatures,
    tokens,
    variant,
    op,
    numerics: { ...platform.vq },
    hbm: { channels: { ...platform.hbm.channels }, bytesPerCyclePerChannel: platformChannelBytesPerCycle(platform), readLatencyCycles: platform.hbm.readLatencyCycles },
    clockMhz: platform.clockMhz,
    positionLanes: stageNumber(platform, 'lut-linear', 'positionLanes', 16),
    outputLanes: stageNumber(platform, 'lut-linear', 'outputLanes', 512),
    ...stageImplementationOptions(platform, variant),
    fifoDepths: depths,
  };
}

/**
 * The centroid-search and LUT-PSum choices of `platform.stages` (an `implementation` key, set by a
 * graph spec: inference/stage-spec.ts) as LUTLinear options. The LUT-PSum parameters go to the
 * implementation the variant uses; an implementation that needs another variant is an error.
 */
function stageImplementationOptions(platform: PlatformConfig, variant: LinearVariant): Partial<LutLinearOptions> {
  const { implementation: cs, ...csParams } = stageOverrides(platform, 'centroid-search');
  const { implementation: psum, ...psumParams } = stageOverrides(platform, 'lut-psum');
  const byImpl: Record<string, [LinearVariant, keyof LutLinearOptions, WeightOnlyImplementation?]> = {
    'lut-2d': ['co-quant', 'lutPsum2d'],
    'lut-1d': ['activation-only', 'lutPsum1d'],
    'weight-only-dsp': ['weight-only', 'weightOnlyDspPsum', 'dsp-dequant'],
    'weight-only-table': ['weight-only', 'weightOnlyPsum', 'online-table'],
  };
  const fallback: Record<LinearVariant, string> = { 'co-quant': 'lut-2d', 'activation-only': 'lut-1d', 'weight-only': 'weight-only-dsp' };
  const name = psum === undefined ? fallback[variant] : String(psum);
  // Plugin stages (any other registered name) replace the shipped ones through the registry.
  const plugins: Record<string, { implementation: string; params: Record<string, unknown> }> = {};
  const { implementation: acc, ...accParams } = stageOverrides(platform, 'accumulator');
  const { implementation: dq, ...dqParams } = stageOverrides(platform, 'dequantizer');
  if (acc !== undefined) plugins['accumulator'] = { implementation: String(acc), params: accParams };
  if (dq !== undefined) plugins['dequantizer'] = { implementation: String(dq), params: dqParams };
  const linear = {
    centroidSearch: { ...(cs !== undefined ? { implementation: String(cs) } : {}), params: csParams as never },
    ...(acc === undefined ? { accumulator: accParams as never } : {}),
    ...(dq === undefined ? { dequantizer: dqParams as never } : {}),
  };
  const entry = byImpl[name];
  if (!entry) {
    if (!stageRegistry.has('lut-psum', name)) throw new RangeError(`platform.stages["lut-psum"].implementation: unknown '${name}' (known: ${stageRegistry.names('lut-psum').join(', ')})`);
    const wants = stageRegistry.get('lut-psum', name).hooks?.['variant'];
    if (wants !== variant) throw new RangeError(`stages.lut-psum '${name}' computes the ${String(wants)} variant, the pass runs ${variant}`);
    return { ...linear, stagePlugins: { ...plugins, 'lut-psum': { implementation: name, params: psumParams } } };
  }
  if (entry[0] !== variant) throw new RangeError(`stages.lut-psum '${name}' computes the ${entry[0]} variant, the pass runs ${variant}`);
  // Without a spec, platform.stages["lut-psum"] configures the 2D matchers (as before).
  const psumKey = psum === undefined ? 'lutPsum2d' : entry[1];
  return {
    ...linear,
    [psumKey]: psumParams as never,
    ...(entry[2] !== undefined ? { weightOnlyImplementation: entry[2] } : {}),
    ...(Object.keys(plugins).length > 0 ? { stagePlugins: plugins } : {}),
  };
}

/**
 * A plugin implementation of attention, the SFU or the KV prefetcher named in `platform.stages[kind]`
 * (`STAGE_PLUGIN_KEY`, set by a graph spec), with the platform's other overrides for it; undefined
 * for the shipped unit.
 */
export function stagePluginOf(platform: PlatformConfig, kind: 'attention' | 'sfu' | 'kv-prefetcher'): { plugin: StagePlugin<unknown>; overrides: Record<string, unknown> } | undefined {
  const { [STAGE_PLUGIN_KEY]: name, ...overrides } = stageOverrides(platform, kind);
  if (name === undefined) return undefined;
  const plugin = stageRegistry.get(kind, String(name));
  // The SFU and the prefetcher are single actors the pass binds itself; attention may bring its own install.
  if (!plugin.actor && !(kind === 'attention' && plugin.hooks?.['install'])) throw new RangeError(`stages.${kind} '${plugin.name}' (${plugin.packageName}): the pass graph needs its actor()`);
  return { plugin, overrides };
}
