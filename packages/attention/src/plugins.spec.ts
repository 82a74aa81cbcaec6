// The registered attention units: names, what each fixes, its schema, its stated cycle model
// (checked against the hand-derived costs of hand-cycles.spec) and its install hook.
import { installStage, stageRegistry } from '@lut-llm/contracts';
import { GraphBuilder, runGraph, sinkActor, sourceActor } from '@lut-llm/core';
import type { AttentionJob } from '@lut-llm/contracts';
import { describe, expect, it } from 'vitest';
import { ATTENTION_PLUGINS, attentionPortWidths, resolveAttentionParams, type AttentionStageParams } from './index.js';

const [pipelined, asBuilt, sequential] = ATTENTION_PLUGINS;
const small = { shape: { heads: 4, kvHeads: 2, headDim: 16 }, qkMacsPerCycle: 64, pvMacsPerCycle: 64, queryTileRows: 9, kvTilePositions: 8, kvChunkPositions: 32 };
const decode: AttentionJob = { layer: 3, phase: 'decode', queryTokens: 1, queryStart: 40 };

describe('attention plugins', () => {
  it('three units, registered under their names, each fixing its implementation (and decode algorithm)', () => {
    expect(ATTENTION_PLUGINS.map((p) => [p.kind, p.name, p.packageName, p.hooks?.['platformParams']])).toEqual([
      ['attention', 'pipelined', '@lut-llm/attention', { implementation: 'pipelined', decodeSplitK: true }],
      ['attention', 'as-built', '@lut-llm/attention', { implementation: 'as-built' }],
      ['attention', 'pipelined-sequential-decode', '@lut-llm/attention', { implementation: 'pipelined', decodeSplitK: false }],
    ]);
    for (const p of ATTENTION_PLUGINS) expect(stageRegistry.get('attention', p.name)).toBe(p);
    expect(pipelined!.description).toBe('pipelined FlashAttention tiles (prefill, causal tiles skipped) and FlashDecoding split-K (decode)');
    expect(asBuilt!.description).toBe("the authors' attention unit as built (LUT-FPGA/LUT-LLM HLS): no causal skipping, sequential loops");
    expect(sequential!.description).toBe('the pipelined unit decoding sequentially: one online-softmax state rescaled chunk by chunk, no split-K partials to merge');
  });

  it('schema: hardware fields, shape and jobs; the fixed fields and unknown keys are refused', () => {
    expect(pipelined!.params.safeParse({ kvChunkPositions: 32, shape: small.shape, jobs: [decode] }).success).toBe(true);
    expect(pipelined!.params.safeParse({ implementation: 'as-built' }).success).toBe(false);
    expect(pipelined!.params.safeParse({ decodeSplitK: false }).success).toBe(false);
    expect(pipelined!.params.safeParse({ shape: 3 }).success).toBe(false);
    expect(pipelined!.params.safeParse({ lanes: 3 }).success).toBe(false);
  });

  it('resolve: the defaults, the overrides, the fixed fields last; no jobs -> []', () => {
    expect(asBuilt!.resolve({ kvChunkPositions: 32, implementation: 'pipelined' } as Partial<AttentionStageParams>)).toEqual({ ...resolveAttentionParams({ kvChunkPositions: 32, implementation: 'as-built' }), jobs: [] });
    expect(sequential!.resolve({ jobs: [decode] })).toEqual({ ...resolveAttentionParams({ decodeSplitK: false }), jobs: [decode] });
  });

  it('cycle models: the costs derived in hand-cycles.spec (decode at 40, small shape): split-K 2, 64, 16 + 98; sequential 4, 72, 18 + 68', () => {
    const costs = (p: (typeof ATTENTION_PLUGINS)[number]) => p.cycleModel!(p.resolve({ ...small, jobs: [decode] }), []).map((c) => [c.iiCycles, c.latencyCycles]);
    expect(costs(pipelined!)).toEqual([[2, 2], [64, 64], [16, 114]]);
    expect(costs(sequential!)).toEqual([[4, 4], [72, 72], [18, 86]]);
  });

  it('install: the unit and its carry loop when a job has history, the kv stream passed on; returns its name', () => {
    const params = pipelined!.resolve({ ...small, jobs: [decode] });
    const w = attentionPortWidths(params);
    const g = new GraphBuilder('install');
    const q = g.stream('q', { depth: 1, widthBytes: w['q']! });
    const kv = g.stream('kv', { depth: 2, widthBytes: w['kv']! });
    const out = g.stream('out', { depth: 1, widthBytes: w['out']! });
    g.invoke(sourceActor({ name: 'q-src', count: 1, widthBytes: w['q']!, meta: () => ({ ...decode }) }), { out: { out: q } });
    g.invoke(sourceActor({ name: 'kv-src', count: 2, widthBytes: w['kv']!, meta: (i) => ({ layer: 3, positionStart: 32 * i, positions: i === 0 ? 32 : 8, chunk: i, chunks: 2 }) }), { out: { out: kv } });
    expect(installStage(pipelined!, g, 'att', params, { in: { q, kv }, out: { out } })).toEqual(['att']);
    g.invoke(sinkActor({ name: 'sink', widthBytes: w['out']! }), { in: { in: out } });
    // Firings start at 0, 2 and 66 (each after the carry of the one before): out at 66 + 114 = 180.
    expect(runGraph(g.build()).sinks['sink']!.map((t) => t.readyCycle)).toEqual([180]);
    // Without history there is no kv port: none is passed on.
    const g2 = new GraphBuilder('install-no-history');
    const q2 = g2.stream('q', { depth: 1, widthBytes: 512 });
    const out2 = g2.stream('out', { depth: 1, widthBytes: 256 });
    expect(installStage(pipelined!, g2, 'att2', pipelined!.resolve({ ...small, jobs: [{ ...decode, queryStart: 0 }] }), { in: { q: q2 }, out: { out: out2 } })).toEqual(['att2']);
  });
});
