import { ATTENTION_PLUGINS } from '@lut-llm/attention';
import { int32AccumulatorPlugin } from '@lut-llm/accumulator';
import { parseStageGraphSpec, registerStage, stageRegistry, type StageKind, type StagePlugin } from '@lut-llm/contracts';
import { dequantizerPlugin } from '@lut-llm/dequantizer';
import { KV_PREFETCHER_PLUGINS } from '@lut-llm/kv-prefetcher';
import { lutPsum2dStage, lutPsumPlugin, resolveLutPsum2dParams } from '@lut-llm/lut-psum';
import { tinyQwen3Config } from '@lut-llm/model';
import { streamingSfuPlugin } from '@lut-llm/sfu';
import { describe, expect, it } from 'vitest';
import { V80_INT4_250 } from '../platform/presets.js';
import { runPassTiming } from './run.js';
import { applyStageSpec, NATIVE_STAGE_IMPLEMENTATIONS } from './stage-spec.js';

/**
 * Plug-ins of every stage kind reach the pass graph through the registry. Each plug-in here is
 * the shipped hardware registered again under another name from another "package" (its
 * actor / install / resolve wrapped to count the calls): the accelerator cannot know it and must
 * install it through its hooks. Same hardware, same costs, so the pass's cycles and every unit's
 * busy cycles must equal the shipped stage's exactly, and the wrapper must have been called.
 */
const calls: Record<string, number> = {};
function copyOf<P>(p: StagePlugin<P>, name: string): StagePlugin<P> {
  const count = (k: string) => (calls[`${p.kind}:${k}`] = (calls[`${p.kind}:${k}`] ?? 0) + 1);
  const install = p.hooks?.['install'] as ((...a: unknown[]) => readonly string[]) | undefined;
  return {
    ...p,
    name,
    packageName: '@lut-llm-test/copies',
    resolve: (o) => (count('resolve'), p.resolve(o)),
    ...(p.actor ? { actor: (n: string, q: P) => (count('actor'), p.actor!(n, q)) } : {}),
    hooks: { ...p.hooks, ...(install ? { install: (...a: unknown[]) => (count('install'), install(...a)) } : {}) },
  };
}

const asBuilt = ATTENTION_PLUGINS.find((p) => p.name === 'as-built')!;
const COPIES: Record<StageKind, StagePlugin<never> | undefined> = {
  'centroid-search': undefined, // plug-ins from other packages: apps/cli stages.spec (two-chain)
  'lut-psum': lutPsumPlugin(lutPsum2dStage, 'lut-2d-copy', 'the 2D matchers again', resolveLutPsum2dParams, '@lut-llm-test/copies') as StagePlugin<never>,
  accumulator: copyOf(int32AccumulatorPlugin, 'int32-copy') as StagePlugin<never>,
  dequantizer: copyOf(dequantizerPlugin, 'dequantizer-copy') as StagePlugin<never>,
  attention: copyOf(asBuilt, 'as-built-copy') as StagePlugin<never>,
  sfu: copyOf(streamingSfuPlugin, 'streaming-copy') as StagePlugin<never>,
  'kv-prefetcher': copyOf(KV_PREFETCHER_PLUGINS[0], 'prefetch-copy') as StagePlugin<never>,
};
for (const p of Object.values(COPIES)) if (p) registerStage(p);

const model = tinyQwen3Config();
const pass = (platform: typeof V80_INT4_250, prefetch?: boolean) => runPassTiming({ model, platform, variant: 'co-quant', phase: 'decode', tokens: 1, history: 20, ...(prefetch !== undefined ? { prefetch } : {}) });
const reference = pass(V80_INT4_250);
const busy = (r: typeof reference) => Object.fromEntries(r.units.map((u) => [u.unit, u.busyCycles]));

describe('plug-ins of every kind install into the pass graph', () => {
  for (const [kind, plugin] of Object.entries(COPIES) as [StageKind, StagePlugin<never> | undefined][]) {
    if (!plugin) continue;
    it(`${kind}: '${plugin.name}' from ${plugin.packageName}: same hardware, same cycles per unit`, () => {
      expect(NATIVE_STAGE_IMPLEMENTATIONS[kind]).not.toContain(plugin.name);
      const before = { ...calls };
      const a = applyStageSpec(V80_INT4_250, parseStageGraphSpec({ stages: { [kind]: { impl: plugin.name } } }));
      expect(a.implementations[kind]).toBe(plugin.name);
      const r = pass(a.platform, a.prefetch);
      expect(r.cycles).toBe(reference.cycles);
      expect(busy(r)).toEqual(busy(reference));
      if (kind !== 'lut-psum') expect(Object.keys(calls).some((k) => k.startsWith(`${kind}:`) && calls[k]! > (before[k] ?? 0))).toBe(true);
    });
  }

  it('a plug-in LUT PSum with its own parameter moves the matcher busy cycles by the derived amount', () => {
    // tablePartitions 8: 16 BRAM ports a cycle instead of 8. A decode tile (T = 1, width <= 512)
    // makes 1 row read + 64 table-fill writes = 65 accesses: ceil(65 / 8) = 9 cycles -> ceil(65 / 16) = 5.
    // The tiny model's decode pass has 104 LUT-PSum firings (per layer qkv 8 x 1, o 8 x 1,
    // gate_up 8 x 2, down 16 x 1 = 48 tiles; 2 layers + the LM head's 8) -> 104 x (5 - 9) = -416.
    const a = applyStageSpec(V80_INT4_250, parseStageGraphSpec({ stages: { 'lut-psum': { impl: 'lut-2d-copy', params: { tablePartitions: 8 } } } }));
    const r = pass(a.platform);
    expect(busy(reference)['lut-linear/lut-psum']).toBe(104 * 9);
    expect(busy(r)['lut-linear/lut-psum']).toBe(104 * 5);
  });

  it('an unknown plug-in name fails with the list of what is registered', () => {
    expect(() => applyStageSpec(V80_INT4_250, parseStageGraphSpec({ stages: { sfu: { impl: 'nope' } } }))).toThrow(/unknown sfu implementation 'nope' \(available: streaming, streaming-copy\)/);
    expect(stageRegistry.names('attention')).toContain('as-built-copy');
  });
});
