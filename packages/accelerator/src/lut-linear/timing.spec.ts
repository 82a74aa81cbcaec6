import { describe, expect, it } from 'vitest';
import { formatLutLinearComparison } from './format.js';
import { runLutLinear } from './run.js';
import { weightTileBytes } from './traffic.js';
import { planLinearTiles } from '@lut-llm/contracts';

/**
 * Hand-derived cycle counts of whole LUTLinear graphs on a 512x128 (MxD) layer: P = 64 positions
 * = 4 blocks of 16, one 512-output tile per block. Numbers used below (defaults of each stage):
 * - weight tile: 16 positions x (64 x 16 INT8 table + 512 x 4-bit indices) = 20480 B;
 * - HBM read latency 64; input 4 channels (128 B/cycle), centroids 4 (128 B/cycle), output 4;
 * - BPCSU latency 66, block cycles max(T, 16);
 * - LUT PSum: bank of 8 ports, 1 row read per token + 64 row writes per new table; latency 21;
 * - accumulator latency 4 (II T); dequantizer latency 7, II T * 512 / 32; output tile T * 2048 B.
 */
describe('LUTLinear timing: emulated cycles equal the documented formulas', () => {
  it('HBM-bound GEMV (weights on 1 channel): cycles = N * 640 + 64 + 9 + 21 + 4 + 7 + 16 = 2681', () => {
    // Weight tile i is served over [640 i, 640 (i + 1)) (20480 B / 32 B per cycle) and readable
    // 64 cycles later. Everything else is early: activations (128 B) and centroids (8 KB, 64
    // cycles per block) reach the BPCSU by 128 + 64 b, its indices by 194 + 64 b < 704. So PSum
    // tile i starts at s_i = 640 (i + 1) + 64, holds the bank for ceil(65 / 8) = 9 cycles and its
    // sums are readable at s_i + 9 + 21; the accumulator adds at s_i + 30 (II 1, the buffer of the
    // previous block long ready) and, for the last block, emits at s_3 + 34; the dequantizer
    // starts there (scales long ready), emits at + 7; the writer stores 2048 B in 16 cycles.
    const r = runLutLinear({ outFeatures: 512, inFeatures: 128, hbm: { channels: { weights: 1 } } });
    expect(r.cycles).toBe(4 * 640 + 64 + 9 + 21 + 4 + 7 + 16);
    expect(r.weights.bytes).toBe(4 * 20480);
    expect(r.bottleneck).toMatchObject({ kind: 'resource', name: 'hbm.weights' });
  });

  it('GEMM T = 64 (tables reused for all tokens): cycles = 128 + 66 + 3 * 64 + 16 + 21 + 4 + 7 + 1024 = 1458', () => {
    // Activations (64 x 16 x 2 x 4 = 8 KB) and centroids (8 KB) of block b each take 64 cycles on
    // their 128 B/cycle channels: both readable at 64 b + 128. The BPCSU (block cycles
    // max(64, 16) = 64) starts block b at 128 + 64 b and its indices are readable 66 later. Weight
    // tiles (20 cycles each) are long ready, so PSum starts block b at 194 + 64 b (its II is 64);
    // the bank serves 64 reads + 64 writes in 16 cycles, sums readable at + 16 + 21. The
    // accumulator starts each block 37 later and emits the last at 386 + 37 + 4 = 427; the
    // dequantizer starts there (II 64 x 16 = 1024, latency 7) and the writer stores the 128 KB
    // tile (1024 cycles at 128 B/cycle) from 434: the run ends at 1458.
    const r = runLutLinear({ outFeatures: 512, inFeatures: 128, tokens: 64 });
    expect(r.cycles).toBe(128 + 66 + 3 * 64 + 16 + 21 + 4 + 7 + 1024);
    // The weight stream is independent of T: each table block is fetched once for all tokens.
    expect(r.weights.bytes).toBe(4 * 20480);
  });

  it('centroid-search alternates in the graph: the first block waits for the indices, so the latency shows once', () => {
    // Same GEMM as above with the BPCSU latency 66 replaced: one chain of 64 (latency 256, block
    // cycles max(64, 64)) adds 190 cycles; the full tree (latency 11, block cycles max(64, 1)) saves 55.
    const gemm = { outFeatures: 512, inFeatures: 128, tokens: 64 } as const;
    expect(runLutLinear({ ...gemm, centroidSearch: { implementation: 'single-chain' } }).cycles).toBe(1458 - 66 + 256);
    expect(runLutLinear({ ...gemm, centroidSearch: { implementation: 'full-tree' } }).cycles).toBe(1458 - 66 + 11);
  });

  it('a depth-1 weight FIFO: no cost when HBM-bound; in the GEMM the loader freezes 92 + 44 + 44 cycles, the run does not move', () => {
    // HLS FIFO semantics: tiles in flight from HBM occupy no slot; tile i + 1 is written no
    // earlier than 2 cycles after PSum read tile i. HBM-bound GEMV: tile i lands at
    // 640 (i + 1) + 64 and PSum reads it then, 640 cycles before the next one lands: no stall.
    const gemv = { outFeatures: 512, inFeatures: 128, hbm: { channels: { weights: 1 } } } as const;
    const fifo = (r: ReturnType<typeof runLutLinear>) => r.summary.fifos.find((f) => f.fifo === 'weight-tiles')!;
    const gemvShallow = runLutLinear({ ...gemv, fifoDepths: { weightTiles: 1 } });
    expect(fifo(gemvShallow).fullStallCycles).toBe(0);
    expect(gemvShallow.cycles).toBe(runLutLinear(gemv).cycles);
    // GEMM T = 64: tiles are served over [20 i, 20 i + 20) and due at 20 i + 84 (84, 104, 124,
    // 144); PSum reads tile b at 194 + 64 b (see the GEMM case). Tile 1 waits for 194 + 2: the
    // loader's pipeline freezes [104, 196) and tiles 2, 3 move by 92 (to 216, 236); tile 2 waits
    // for 258 + 2 (frozen [216, 260), tile 3 to 280), tile 3 for 322 + 2 (frozen [280, 324)).
    // Every tile still lands before PSum wants it (132 + 64 b <= 194 + 64 b): same 1458 cycles.
    const gemm = { outFeatures: 512, inFeatures: 128, tokens: 64 } as const;
    const shallow = runLutLinear({ ...gemm, fifoDepths: { weightTiles: 1 } });
    expect(fifo(shallow).fullStallCycles).toBe(92 + 44 + 44);
    expect(shallow.stages.find((s) => s.actor === 'weight-loader')!.stalledFullCycles).toBe(92 + 44 + 44);
    expect(shallow.cycles).toBe(128 + 66 + 3 * 64 + 16 + 21 + 4 + 7 + 1024);
  });

  it('reducing the weight channels turns a look-up-bound GEMM into an HBM-bound one, and the summary says so', () => {
    const gemm = { outFeatures: 2048, inFeatures: 2048, tokens: 64 } as const;
    const full = runLutLinear(gemm);
    expect(full.bottleneck.kind).toBe('actor');
    expect(['lut-psum', 'accumulator']).toContain(full.bottleneck.name);
    expect(full.weights.utilisation).toBeLessThan(0.5);
    const starved = runLutLinear({ ...gemm, hbm: { channels: { weights: 2 } } });
    expect(starved.bottleneck).toMatchObject({ kind: 'resource', name: 'hbm.weights' });
    expect(starved.summary.bottlenecks[0]!.utilisation).toBeGreaterThan(0.95);
    // 5 MiB over 64 B/cycle.
    expect(starved.cycles).toBeGreaterThanOrEqual((2048 * 2048 * 10) / 8 / 64);
  });

  it('GEMV on the full 32 channels: co-quant, activation-only and the online-table weight-only are HBM-bound (10 / 1024 / 3 bits per weight); the DSP weight-only is bound by its DSPs', () => {
    const M = 2048;
    const D = 2048;
    const reports = (['co-quant', 'weight-only', 'activation-only'] as const).map((variant) => runLutLinear({ outFeatures: M, inFeatures: D, variant }));
    const lutAlternate = runLutLinear({ outFeatures: M, inFeatures: D, variant: 'weight-only', weightOnlyImplementation: 'online-table' });
    // co-quant: 4-bit index per 2 weights + a 1 KB table per (position, 512 outputs) = 2 + 8;
    // weight-only (both implementations stream the same): 2 + FP32 codebooks (16 x 2 x 32 bits per (position, 512 outputs)) = 2 + 1;
    // activation-only: an FP32 entry per (position, activation centroid, output) = 64 x 32 / 2.
    expect(reports.map((r) => (8 * r.weights.bytes) / (M * D))).toEqual([10, 3, 1024]);
    expect(lutAlternate.weights.bytes).toBe(reports[1]!.weights.bytes);
    for (const r of [reports[0]!, reports[2]!, lutAlternate]) expect(r.bottleneck.name).toBe('hbm.weights');
    // Weight-only, de-quantisation + DSPs: 64 blocks x 4 tiles = 256 firings of II 8 (2 x 512
    // products on 128 DSPs per matcher) = 2048 cycles against 256 x 6 = 1536 cycles of weight
    // stream (6144 B per tile at 1024 B/cycle). The first weight tile is readable at 6 + 64 = 70
    // (its block's 128 B of activations at 65), so firing i starts at 70 + 8 i; the last block's
    // 4 tiles are summed 57 (PSum latency) + 6 (FP32 accumulator: URAM read 3 + add 3) later,
    // every 8 cycles, and the writer stores each 2048 B tile in 16 cycles (128 B/cycle), one after
    // the other: 70 + 8 x 252 + 57 + 6 + 4 x 16 = 2213.
    const dsp = reports[1]!;
    expect(dsp.cycles).toBe(70 + 8 * 252 + 57 + 6 + 4 * 16);
    expect(dsp.bottleneck).toMatchObject({ kind: 'actor', name: 'lut-psum' });
    const co = reports[0]!;
    // 256 tiles of 20 cycles + the pipeline's fill and drain.
    expect(co.cycles).toBeGreaterThan(256 * 20);
    expect(co.cycles).toBeLessThan(256 * 20 + 200);
    expect(co.weights.achievedBytesPerCycle).toBeGreaterThan(0.95 * 1024);
    const text = formatLutLinearComparison(reports);
    for (const v of ['co-quant', 'weight-only', 'activation-only', 'hbm.weights', 'cycles', 'weight GB/s']) expect(text).toContain(v);
  });

  it('weight-only (de-quantisation + DSPs) on 512x128: GEMV 173 and GEMM T = 64 2751 cycles, hand-derived', () => {
    // Weight tile: 16 x (16 x 2 x 4 B codebook + 512 x 4 bits) = 6144 B = 6 cycles on 32
    // channels, tile i readable at 6 (i + 1) + 64. PSum II = T x ceil(2 x 512 / 128) = 8 T,
    // latency 57; FP32 accumulator latency 6; output T x 512 x 4 B at 128 B/cycle.
    // GEMV: activations 128 B per block (1 cycle), block b readable at 65 + b; firing b starts at
    // max(70 + 6 b, 70 + 8 b) = 70 + 8 b; the last at 94, summed at 94 + 57 + 6 = 157, written
    // in 16: 173.
    expect(runLutLinear({ outFeatures: 512, inFeatures: 128, variant: 'weight-only' }).cycles).toBe(70 + 3 * 8 + 57 + 6 + 16);
    // GEMM T = 64: activations 8 KB per block (64 cycles), block b readable at 128 + 64 b; PSum
    // II 512, so block b starts at 128 + 512 b; the last at 1664, summed at 1664 + 57 + 6 = 1727,
    // the 128 KB tile written in 1024 cycles: 2751.
    const gemm = runLutLinear({ outFeatures: 512, inFeatures: 128, tokens: 64, variant: 'weight-only' });
    expect(gemm.cycles).toBe(128 + 3 * 512 + 57 + 6 + 1024);
    // The online-table alternate on the same DSPs: II 4 T (one looked-up term per output on 128 adders).
    expect(runLutLinear({ outFeatures: 512, inFeatures: 128, tokens: 64, variant: 'weight-only', weightOnlyImplementation: 'online-table' }).cycles).toBeLessThan(gemm.cycles);
    expect(() => runLutLinear({ outFeatures: 512, inFeatures: 128, variant: 'weight-only', weightOnlyImplementation: 'lut' as never })).toThrow(/weightOnlyImplementation must be one of dsp-dequant, online-table, got 'lut'/);
  });

  it('weight-tile bytes follow the documented formula for each variant', () => {
    const plan = planLinearTiles({ outFeatures: 1024, inFeatures: 40, tokens: 3, v: 2 }, { blockPositions: 16, outputLanes: 512, groupSize: 512 });
    const t = { numerics: { v: 2 as const, cA: 64, cW: 16, lutBits: 8 as const }, weightIndexBits: 4, activationOnlyEntryBytes: 4 };
    expect(plan.blocks).toBe(2);
    expect(weightTileBytes('co-quant', plan, 0, 1, t)).toBe(16 * (1024 + 256));
    expect(weightTileBytes('co-quant', plan, 1, 0, t)).toBe(4 * (1024 + 256));
    expect(weightTileBytes('co-quant', plan, 0, 0, { ...t, numerics: { ...t.numerics, lutBits: 4 } })).toBe(16 * (512 + 256));
    expect(weightTileBytes('weight-only', plan, 0, 0, t)).toBe(16 * (16 * 2 * 4 + 256));
    expect(weightTileBytes('activation-only', plan, 0, 0, t)).toBe(16 * 64 * 512 * 4);
  });
});
