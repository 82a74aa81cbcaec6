import { applyStageSetting, parseStageGraphSpec, stageRegistry, STAGE_KINDS } from '@lut-llm/contracts';
import { describe, expect, it } from 'vitest';
import { resolveLutLinearConfig } from '../lut-linear/options.js';
import { V80_INT4_250 } from '../platform/presets.js';
import { lutLinearOptionsFor } from './pass-graph.js';
import { applyStageSpec, REFERENCE_STAGE_IMPLEMENTATIONS } from './stage-spec.js';

const spec = (stages: object) => parseStageGraphSpec({ stages });

describe('graph specs applied to a pass', () => {
  it('every kind has its shipped implementations registered, the reference among them', () => {
    for (const kind of STAGE_KINDS) expect(stageRegistry.names(kind)).toContain(REFERENCE_STAGE_IMPLEMENTATIONS[kind]);
    expect(stageRegistry.names('centroid-search')).toEqual(expect.arrayContaining(['bpcsu', 'full-tree', 'single-chain']));
    expect(stageRegistry.names('lut-psum')).toEqual(expect.arrayContaining(['lut-1d', 'lut-2d', 'weight-only-dsp', 'weight-only-table']));
    expect(stageRegistry.names('attention')).toEqual(['as-built', 'pipelined', 'pipelined-sequential-decode']);
    expect(stageRegistry.names('kv-prefetcher')).toEqual(['on-demand', 'prefetch']);
  });

  it('every shipped implementation can run the conformance suite (an actor and a stated cycle model; each package runs it)', () => {
    const shipped = stageRegistry.list().filter((p) => p.packageName.startsWith('@lut-llm/') && !p.packageName.startsWith('@lut-llm-test/'));
    expect(shipped.length).toBeGreaterThanOrEqual(16);
    for (const p of shipped) expect([p.kind, p.name, typeof p.actor, typeof p.cycleModel]).toEqual([p.kind, p.name, 'function', 'function']);
  });

  it('an unknown implementation fails with the list of those available', () => {
    expect(() => applyStageSpec(V80_INT4_250, spec({ 'centroid-search': { impl: 'magic' } }))).toThrow(
      "unknown centroid-search implementation 'magic' (available: bpcsu, full-tree, single-chain)",
    );
  });

  it('an unknown parameter fails with the list of parameters; a mistyped one names its key', () => {
    expect(() => applyStageSpec(V80_INT4_250, spec({ 'centroid-search': { impl: 'bpcsu', params: { chainLenght: 8 } } }))).toThrow(/chainLenght.*parameters: lanes, centroids, subvectorLength, chainLength/);
    expect(() => applyStageSpec(V80_INT4_250, spec({ attention: { impl: 'as-built', params: { kvChunkPositions: 'many' } } }))).toThrow(/kvChunkPositions/);
    expect(() => parseStageGraphSpec({ stages: { 'centroid-serch': { impl: 'bpcsu' } } })).toThrow(/centroid-serch|stages/);
  });

  it("the exhaustive search reaches the op's configuration: chain length 1, a 63-comparator tree for c_a = 64", () => {
    const a = applyStageSpec(V80_INT4_250, spec({ 'centroid-search': { impl: 'full-tree' } }));
    const cfg = resolveLutLinearConfig(lutLinearOptionsFor(a.platform, 'qkv', 4096, 2048, 1, 'co-quant'));
    expect(cfg.centroidSearchImplementation).toBe('full-tree');
    expect(cfg.centroidSearch.chainLength).toBe(1);
    expect(a.implementations['centroid-search']).toBe('full-tree');
  });

  it('parameters go to the chosen implementation (--set stages.<stage>.<param>=<value>)', () => {
    const s = applyStageSetting(parseStageGraphSpec({}), 'stages.centroid-search.chainLength=8', REFERENCE_STAGE_IMPLEMENTATIONS);
    const cfg = resolveLutLinearConfig(lutLinearOptionsFor(applyStageSpec(V80_INT4_250, s).platform, 'qkv', 4096, 2048, 1, 'co-quant'));
    expect(cfg.centroidSearchImplementation).toBe('bpcsu');
    expect(cfg.centroidSearch.chainLength).toBe(8);
  });

  it('1D LUT PSum fixes the activation-only variant and needs the FP32 accumulator', () => {
    const a = applyStageSpec(V80_INT4_250, spec({ 'lut-psum': { impl: 'lut-1d', params: { fp32AddLatencyCycles: 5 } } }));
    expect(a.variant).toBe('activation-only');
    expect(a.implementations.accumulator).toBe('fp32');
    const cfg = resolveLutLinearConfig(lutLinearOptionsFor(a.platform, 'qkv', 4096, 2048, 1, 'activation-only'));
    expect(cfg.lutPsum1d.fp32AddLatencyCycles).toBe(5);
    expect(() => lutLinearOptionsFor(a.platform, 'qkv', 4096, 2048, 1, 'co-quant')).toThrow("stages.lut-psum 'lut-1d' computes the activation-only variant, the pass runs co-quant");
    expect(() => applyStageSpec(V80_INT4_250, spec({ 'lut-psum': { impl: 'lut-1d' }, accumulator: { impl: 'int32' } }))).toThrow(/needs 'fp32'/);
  });

  it('attention and the KV prefetcher: the implementation key and the prefetch choice', () => {
    const a = applyStageSpec(V80_INT4_250, spec({ attention: { impl: 'as-built' }, 'kv-prefetcher': { impl: 'on-demand' } }));
    expect(a.platform.stages['attention']!['implementation']).toBe('as-built');
    expect(a.prefetch).toBe(false);
    expect(applyStageSpec(V80_INT4_250, spec({ 'kv-prefetcher': { impl: 'prefetch' } })).prefetch).toBe(true);
    const seq = applyStageSpec(V80_INT4_250, spec({ attention: { impl: 'pipelined-sequential-decode', params: { kvChunkPositions: 32 } } }));
    expect(seq.platform.stages['attention']).toEqual({ implementation: 'pipelined', decodeSplitK: false, kvChunkPositions: 32 });
    // Silent specs report the platform's own choice: the V80 presets model the attention unit as built.
    expect(applyStageSpec(V80_INT4_250, spec({})).implementations.attention).toBe('as-built');
  });
});
