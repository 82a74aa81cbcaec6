import { LINEAR_STREAM_WIDTH_BYTES as W, type AccumulatedTile, type AccumulatedTileMeta, type PsumTileMeta } from '@lut-llm/contracts';
import { GraphBuilder, mapFirings, runGraph, sinkActor } from '@lut-llm/core';
import { describe, expect, it } from 'vitest';
import { accumulatorLatencyCycles, accumulatorTileCycles } from './cycle-model.js';
import { AccumulatorError, DEFAULT_FP32_ACCUMULATOR_PARAMS, DEFAULT_INT32_ACCUMULATOR_PARAMS, type AccumulatorParams } from './params.js';
import { fp32AccumulatorStage, int32AccumulatorStage } from './stage.js';

/** psum source (blocks x tiles, block-major, II 1) -> accumulator (installed) -> sink. */
function accGraph(p: AccumulatorParams, T: number, width: number, numeric: 'int32' | 'fp32-terms' = 'int32', shuffle = false, stage = numeric === 'int32' ? int32AccumulatorStage : fp32AccumulatorStage) {
  const g = new GraphBuilder('acc-alone');
  const i = g.stream('psums', { depth: 64, widthBytes: W });
  const o = g.stream('out', { depth: 64, widthBytes: W });
  const n = p.blocks * p.tilesPerBlock;
  g.invoke(
    {
      name: 'src',
      outputs: { out: { widthBytes: W } },
      firings: n,
      cost: { iiCycles: 1, latencyCycles: 0 },
      behaviour: mapFirings((f) => {
        const k = shuffle && f.index === 1 ? 0 : f.index;
        const b = Math.floor(k / p.tilesPerBlock);
        const j = k % p.tilesPerBlock;
        const m: PsumTileMeta = {
          kind: 'psum', numeric, op: 'x', tokens: T, block: b, blocks: p.blocks, posStart: 16 * b, posEnd: 16 * b + 16,
          tile: j, tilesPerBlock: p.tilesPerBlock, outStart: j * width, outEnd: (j + 1) * width,
        };
        return { out: m };
      }),
      kernel: (_i, _o, f) => ({
        out:
          numeric === 'int32'
            ? { kind: 'int32', psum: new Int32Array(T * width).fill(f.index + 1) }
            : { kind: 'fp32-terms', positions: 2, terms: new Float32Array(2 * T * width).fill(0.5) },
      }),
    },
    { out: { out: i } },
  );
  stage.install(g, 'acc', p, { in: { in: i }, out: { out: o } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: W }), { in: { in: o } });
  return g.build();
}

describe('accumulator cycle model', () => {
  it('INT32: II = T * ceil(w / 512), latency URAM 3 + one adder level 1 = 4; FP32: 128 lanes, 3 + 3 = 6', () => {
    expect(accumulatorTileCycles(DEFAULT_INT32_ACCUMULATOR_PARAMS, 5, 512)).toBe(5);
    expect(accumulatorLatencyCycles(DEFAULT_INT32_ACCUMULATOR_PARAMS)).toBe(4);
    expect(accumulatorTileCycles(DEFAULT_FP32_ACCUMULATOR_PARAMS, 5, 512)).toBe(20);
    expect(accumulatorLatencyCycles(DEFAULT_FP32_ACCUMULATOR_PARAMS)).toBe(6);
    expect(accumulatorLatencyCycles({ ...DEFAULT_INT32_ACCUMULATOR_PARAMS, psumInputs: 4 })).toBe(3 + 3);
  });
});

describe('accumulator in a tiny graph', () => {
  it('emits one tile per output tile, only with the last block, carrying the sum of all blocks', () => {
    const p = { ...DEFAULT_INT32_ACCUMULATOR_PARAMS, blocks: 3, tilesPerBlock: 2 };
    const r = runGraph(accGraph(p, 2, 8), { mode: 'functional' });
    const toks = r.sinks['sink']!;
    expect(toks.map((t) => (t.meta as AccumulatedTileMeta).tile)).toEqual([0, 1]);
    // Tile 0 gets psums filled with firing index + 1 of firings 0, 2, 4: 1 + 3 + 5 = 9; tile 1: 2 + 4 + 6 = 12.
    expect(toks.map((t) => (t.payload as AccumulatedTile & { kind: 'int32' }).acc[0])).toEqual([9, 12]);
  });

  it('one tile per block: each block waits for its own previous sum (read-after-write on the buffer), 4 N + 1', () => {
    // Firing b needs the buffer tile of b - 1, readable 4 cycles (the latency) after that firing
    // started: a_b = 4 b. The last tile is readable at 4 (N - 1) + 4 and the sink ends 1 later.
    const N = 6;
    const r = runGraph(accGraph({ ...DEFAULT_INT32_ACCUMULATOR_PARAMS, blocks: N, tilesPerBlock: 1 }, 1, 512));
    expect(r.cycles).toBe(4 * N + 1);
    expect(r.summary.fifos.find((f) => f.fifo === 'acc.buffer')!.emptyStallCycles).toBe(3 * (N - 1));
  });

  it('four tiles per block hide the latency: no buffer stall, the run ends at 4 N + 4', () => {
    // Firing i at cycle i; its buffer tile is read 4 firings (4 cycles) later, exactly when it
    // becomes readable. The last firing (i = 4 N - 1) is readable at 4 N + 3; the sink ends at 4 N + 4.
    const N = 5;
    const r = runGraph(accGraph({ ...DEFAULT_INT32_ACCUMULATOR_PARAMS, blocks: N, tilesPerBlock: 4 }, 1, 512));
    expect(r.cycles).toBe(4 * N + 4);
    expect(r.summary.fifos.find((f) => f.fifo === 'acc.buffer')!.emptyStallCycles).toBe(0);
  });

  it('FP32 accumulation of per-position terms', () => {
    const p = { ...DEFAULT_FP32_ACCUMULATOR_PARAMS, blocks: 2, tilesPerBlock: 1 };
    const r = runGraph(accGraph(p, 1, 4, 'fp32-terms'), { mode: 'functional' });
    const t = r.sinks['sink']![0]!.payload as AccumulatedTile & { kind: 'fp32' };
    expect(Array.from(t.y)).toEqual([2, 2, 2, 2]); // 2 blocks x 2 positions x 0.5
  });

  it('rejects a token that does not fit the schedule, and partial sums of the wrong kind', () => {
    const p = { ...DEFAULT_INT32_ACCUMULATOR_PARAMS, blocks: 2, tilesPerBlock: 2 };
    expect(() => runGraph(accGraph(p, 1, 8, 'int32', true))).toThrow(AccumulatorError);
    expect(() => runGraph(accGraph(p, 1, 8, 'int32', true))).toThrow(/firing 1 expects block 0, tile 1/);
    expect(() => runGraph(accGraph(p, 1, 8, 'fp32-terms', false, int32AccumulatorStage))).toThrow(/int32 accumulator got 'fp32-terms'/);
  });
});
