import { registerStage, type StagePlugin } from '@lut-llm/contracts';
import { GraphBuilder } from '@lut-llm/core';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LUT_PSUM_1D_PARAMS,
  DEFAULT_LUT_PSUM_2D_PARAMS,
  LUT_PSUM_PLUGINS,
  indexRegisterActor,
  lutPsum1dStage,
  lutPsum1dTableBytes,
  lutPsum2dStage,
  lutPsumStageOf,
  resolveLutPsum1dParams,
  resolveLutPsum2dParams,
  weightOnlyDspPsumStage,
  weightOnlyPsumStage,
} from './index.js';

describe('lutPsum1dTableBytes: matchers x 2 (ping-pong) x c_a x output lanes x entry bits / 8', () => {
  it('the default chain: 16 x 2 x 64 x 512 x 32 bits / 8 = 4,194,304 bytes', () => {
    expect(lutPsum1dTableBytes(DEFAULT_LUT_PSUM_1D_PARAMS)).toBe(4_194_304);
  });
  it('every factor counts: 3 x 2 x 5 x 7 x 16 bits / 8 = 420 bytes', () => {
    expect(lutPsum1dTableBytes(resolveLutPsum1dParams({ matchers: 3, activationCentroids: 5, outputLanes: 7, entryBits: 16 }))).toBe(420);
  });
});

describe('LUT-PSum parameter validation names the stage, the field and the value', () => {
  it('2D: lutBits 4 and registerCopies = outputLanes are valid; undefined keeps the default', () => {
    const p = resolveLutPsum2dParams({ lutBits: 4, outputLanes: 8, registerCopies: 8, matchers: undefined });
    expect(p.lutBits).toBe(4);
    expect(p.registerCopies).toBe(8);
    expect(p.matchers).toBe(DEFAULT_LUT_PSUM_2D_PARAMS.matchers);
    expect(resolveLutPsum2dParams({ rowFetch: 'direct', tableMemory: 'uram' })).toMatchObject({ rowFetch: 'direct', tableMemory: 'uram' });
  });
  it('2D: each bad field, its message', () => {
    const bad = (o: Record<string, unknown>) => () => resolveLutPsum2dParams(o as never);
    expect(bad({ registerCopies: 9, outputLanes: 8 })).toThrow('lut-psum (2D): registerCopies (9) must be <= outputLanes (8)');
    expect(bad({ lutBits: 6 })).toThrow('lut-psum (2D): lutBits must be 8 or 4, got 6');
    expect(bad({ tableMemory: 'sram' })).toThrow('lut-psum (2D): tableMemory must be one of bram, uram, lutram, got sram');
    expect(bad({ rowFetch: 'dma' })).toThrow("lut-psum (2D): rowFetch must be 'registers' or 'direct', got dma");
    expect(bad({ maxFanoutPerStage: 1 })).toThrow('lut-psum (2D): maxFanoutPerStage must be an integer >= 2, got 1');
    expect(bad({ muxLatencyCycles: -1 })).toThrow('lut-psum (2D): muxLatencyCycles must be an integer >= 0, got -1');
    expect(bad({ adderLatencyCycles: 0.5 })).toThrow('lut-psum (2D): adderLatencyCycles must be an integer >= 0, got 0.5');
    expect(bad({ tablePartitions: 0 })).toThrow('lut-psum (2D): tablePartitions must be an integer >= 1, got 0');
    expect(bad({ lanes: 4 })).toThrow(`unknown parameter 'lanes' (known: ${Object.keys(DEFAULT_LUT_PSUM_2D_PARAMS).join(', ')})`);
  });
  it('1D: each bad field, its message', () => {
    const bad = (o: Record<string, unknown>) => () => resolveLutPsum1dParams(o as never);
    expect(bad({ tableMemory: 'dram' })).toThrow('lut-psum (1D): tableMemory must be one of bram, uram, lutram, got dram');
    expect(bad({ fp32AddLatencyCycles: -2 })).toThrow('lut-psum (1D): fp32AddLatencyCycles must be an integer >= 0, got -2');
    expect(bad({ entryBits: 0 })).toThrow('lut-psum (1D): entryBits must be an integer >= 1, got 0');
    expect(resolveLutPsum1dParams({ tableMemory: 'bram', fp32AddLatencyCycles: 0 })).toMatchObject({ tableMemory: 'bram', fp32AddLatencyCycles: 0 });
  });
});

describe('indexRegisterActor and install reject bad arguments by name', () => {
  it('tilesPerBlock must be an integer >= 1', () => {
    expect(() => indexRegisterActor('reg', 0, 4)).toThrow('reg: tilesPerBlock must be an integer >= 1, got 0');
    expect(() => indexRegisterActor('reg', 1.5, 4)).toThrow('reg: tilesPerBlock must be an integer >= 1, got 1.5');
    expect(indexRegisterActor('reg', 1, 4).name).toBe('reg');
  });
  it('install needs all three bindings', () => {
    const g = new GraphBuilder('bindings');
    const a = g.stream('a', { depth: 2, widthBytes: 4 });
    const w = g.stream('w', { depth: 2, widthBytes: 4 });
    const o = g.stream('o', { depth: 2, widthBytes: 4 });
    const msg = 'psum: install needs bindings in.act, in.weights and out.out';
    expect(() => lutPsum2dStage.install(g, 'psum', DEFAULT_LUT_PSUM_2D_PARAMS, { in: { weights: w }, out: { out: o } })).toThrow(msg);
    expect(() => lutPsum2dStage.install(g, 'psum', DEFAULT_LUT_PSUM_2D_PARAMS, { in: { act: a }, out: { out: o } })).toThrow(msg);
    expect(() => lutPsum2dStage.install(g, 'psum', DEFAULT_LUT_PSUM_2D_PARAMS, { in: { act: a, weights: w } })).toThrow(msg);
    expect(() => lutPsum2dStage.install(g, 'psum', DEFAULT_LUT_PSUM_2D_PARAMS, { out: { out: o } })).toThrow(msg);
    expect(lutPsum2dStage.install(g, 'psum', DEFAULT_LUT_PSUM_2D_PARAMS, { in: { act: a, weights: w }, out: { out: o } })).toEqual(['psum', 'psum.index-register']);
  });
});

describe('lutPsumStageOf', () => {
  it('returns the shipped stage of each registered name', () => {
    expect(LUT_PSUM_PLUGINS.map((p) => p.name)).toEqual(['lut-2d', 'lut-1d', 'weight-only-dsp', 'weight-only-table']);
    expect(lutPsumStageOf('lut-2d')).toBe(lutPsum2dStage);
    expect(lutPsumStageOf('lut-1d')).toBe(lutPsum1dStage);
    expect(lutPsumStageOf('weight-only-dsp')).toBe(weightOnlyDspPsumStage);
    expect(lutPsumStageOf('weight-only-table')).toBe(weightOnlyPsumStage);
  });
  it('undefined for an unknown name; an error naming an implementation without an installable hooks.linear', () => {
    expect(lutPsumStageOf('no-such-psum')).toBeUndefined();
    const base = { ...LUT_PSUM_PLUGINS[0], packageName: 'lookup-spec-pkg' } as unknown as StagePlugin<never>;
    registerStage({ ...base, name: 'psum-spec-no-hooks', hooks: undefined });
    registerStage({ ...base, name: 'psum-spec-no-install', hooks: { linear: { install: 'x' } } });
    for (const name of ['psum-spec-no-hooks', 'psum-spec-no-install']) {
      expect(() => lutPsumStageOf(name)).toThrow(`lut-psum implementation '${name}' registers no hooks.linear (a LutPsumStage: install + resources + firingCost)`);
    }
    const custom = { ...lutPsum2dStage, implementation: 'psum-spec-custom' };
    registerStage({ ...base, name: 'psum-spec-custom', hooks: { linear: custom } });
    expect(lutPsumStageOf('psum-spec-custom')).toBe(custom);
  });
});
