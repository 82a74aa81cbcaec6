// Exact messages of the accumulator's checks, the full metadata of what it emits, its install
// bindings, and cycle counts of tiles that start past output 0 (II from the tile's width
// outEnd - outStart, not from its end). Every value is derived by hand in the comments.
import { LINEAR_STREAM_WIDTH_BYTES as W, type AccumulatedTileMeta, type PsumTile, type PsumTileMeta } from '@lut-llm/contracts';
import { checkStageConformance } from '@lut-llm/contracts/conformance';
import { GraphBuilder, runGraph, sinkActor, sourceActor } from '@lut-llm/core';
import { from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  accumulate,
  accumulateFp32Terms,
  accumulateInt32,
  accumulatorActor,
  accumulatorConformanceCases,
  DEFAULT_INT32_ACCUMULATOR_PARAMS,
  fp32AccumulatorPlugin,
  int32AccumulatorPlugin,
  int32AccumulatorStage,
} from './index.js';

const psumMeta = (b: number, j: number, o: Partial<PsumTileMeta> = {}): PsumTileMeta => ({
  kind: 'psum', numeric: 'int32', op: 'o_proj', tokens: 2, block: b, blocks: 2, posStart: 8 * b, posEnd: 8 * b + 8, tile: j, tilesPerBlock: 1, outStart: 0, outEnd: 4, ...o,
});

describe('accumulator kernels by hand', () => {
  it('FP32 terms fold onto the buffer: [10, 20] + positions [1, 2], [3, 4] = [14, 26]', () => {
    expect(Array.from(accumulateFp32Terms(Float32Array.of(1, 2, 3, 4), 2, Float32Array.of(10, 20)))).toEqual([14, 26]);
    expect(Array.from(accumulateFp32Terms(Float32Array.of(1, 2, 3, 4), 2))).toEqual([4, 6]);
  });

  it('messages name the sizes', () => {
    expect(() => accumulateInt32(new Int32Array(3), new Int32Array(2))).toThrow('accumulator: buffer tile has 2 values, partial sums 3');
    expect(() => accumulateFp32Terms(new Float32Array(4), 2, new Float32Array(3))).toThrow('accumulator: buffer tile has 3 values, terms 2 per position');
    // 3 % 1.5 = 0 and 4 % -1 = 0: only the integer and >= 1 checks catch these.
    expect(() => accumulateFp32Terms(new Float32Array(3), 1.5)).toThrow('accumulator: 3 terms cannot be split into 1.5 positions');
    expect(() => accumulateFp32Terms(new Float32Array(4), -1)).toThrow('accumulator: 4 terms cannot be split into -1 positions');
    expect(() => accumulateFp32Terms(new Float32Array(4), 0)).toThrow('accumulator: 4 terms cannot be split into 0 positions');
  });
});

/**
 * The actor with its buffer ports wired to a source and a sink instead of its own self-loop (what
 * `install` does), so a wrong buffer token can reach it: blocks 2, one tile per block; firing 0
 * reads `in` only and writes `bufOut`, firing 1 reads `in` and `bufIn` and writes `out`.
 */
function externalBuffer(bufMeta: PsumTileMeta) {
  const g = new GraphBuilder('acc-external-buffer');
  const s = (name: string) => g.stream(name, { depth: 4, widthBytes: W });
  const [i, bi, o, bo] = [s('in'), s('bufIn'), s('out'), s('bufOut')];
  g.invoke(sourceActor({ name: 'psums', count: 2, widthBytes: W, meta: (n) => psumMeta(n, 0) }), { out: { out: i } });
  g.invoke(sourceActor({ name: 'buffer', count: 1, widthBytes: W, meta: () => bufMeta }), { out: { out: bi } });
  g.invoke(accumulatorActor('acc', { ...DEFAULT_INT32_ACCUMULATOR_PARAMS, blocks: 2 }, 'int32'), { in: { in: i, bufIn: bi }, out: { out: o, bufOut: bo } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: W }), { in: { in: o } });
  g.invoke(sinkActor({ name: 'bufSink', widthBytes: W }), { in: { in: bo } });
  return g.build();
}

describe('accumulator actor', () => {
  it('firing 1 (block 1, tile 0) needs the buffer of block 0, tile 0: another tile or block is an error naming both', () => {
    expect(runGraph(externalBuffer(psumMeta(0, 0))).sinks['sink']!.length).toBe(1);
    expect(() => runGraph(externalBuffer(psumMeta(0, 1)))).toThrow('acc: buffer holds block 0, tile 1 where block 0, tile 0 was expected');
    expect(() => runGraph(externalBuffer(psumMeta(1, 0)))).toThrow('acc: buffer holds block 1, tile 0 where block 0, tile 0 was expected');
  });

  it('a partial-sum tile of the right output tile but the wrong block is an error', () => {
    // Blocks 2, one tile per block: firing 1 is block 1, tile 0; the source sends block 0 again.
    const g = new GraphBuilder('acc-block');
    const i = g.stream('in', { depth: 4, widthBytes: W });
    const o = g.stream('out', { depth: 4, widthBytes: W });
    g.invoke(sourceActor({ name: 'psums', count: 2, widthBytes: W, meta: () => psumMeta(0, 0) }), { out: { out: i } });
    int32AccumulatorStage.install!(g, 'acc', { ...DEFAULT_INT32_ACCUMULATOR_PARAMS, blocks: 2 }, { in: { in: i }, out: { out: o } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: W }), { in: { in: o } });
    expect(() => runGraph(g.build())).toThrow('acc: firing 1 expects block 1, tile 0 of a 2 x 1 schedule, got block 0, tile 0');
  });

  it('the last block writes the whole AccumulatedTileMeta; install returns its actor and refuses missing bindings', () => {
    const p = { ...DEFAULT_INT32_ACCUMULATOR_PARAMS, blocks: 2, tilesPerBlock: 1 };
    const g = new GraphBuilder('acc-meta');
    const i = g.stream('in', { depth: 4, widthBytes: W });
    const o = g.stream('out', { depth: 4, widthBytes: W });
    g.invoke(sourceActor({ name: 'psums', count: 2, widthBytes: W, meta: (n) => psumMeta(n, 0, { outStart: 8, outEnd: 12 }) }), { out: { out: i } });
    expect(int32AccumulatorStage.install!(g, 'acc', p, { in: { in: i }, out: { out: o } })).toEqual(['acc']);
    g.invoke(sinkActor({ name: 'sink', widthBytes: W }), { in: { in: o } });
    const want: AccumulatedTileMeta = { kind: 'accumulated', numeric: 'int32', op: 'o_proj', tokens: 2, tile: 0, tilesPerBlock: 1, outStart: 8, outEnd: 12 };
    expect(runGraph(g.build()).sinks['sink']!.map((t) => t.meta)).toEqual([want]);

    const g2 = new GraphBuilder('acc-bindings');
    const s = g2.stream('s', { depth: 1, widthBytes: W });
    const msg = 'acc: install needs bindings in.in and out.out';
    expect(() => int32AccumulatorStage.install!(g2, 'acc', p, { in: { in: s }, out: {} })).toThrow(msg);
    expect(() => int32AccumulatorStage.install!(g2, 'acc', p, { in: {}, out: { out: s } })).toThrow(msg);
    expect(() => int32AccumulatorStage.install!(g2, 'acc', p, { out: { out: s } })).toThrow(msg);
    expect(() => int32AccumulatorStage.install!(g2, 'acc', p, { in: { in: s } })).toThrow(msg);
  });
});

describe('a tile past output 0 costs its width, outEnd - outStart', () => {
  // Outputs 512..1023 (w = 512), T = 2. INT32, 512 lanes: II = 2 x ceil(512 / 512) = 2, latency
  // 3 + 1 = 4. FP32, 128 lanes: II = 2 x 4 = 8, latency 3 + 3 = 6. (From outEnd + outStart = 1536
  // the II would be 6 and 24.)
  const wide = psumMeta(0, 0, { blocks: 1, outStart: 512, outEnd: 1024 });
  it('plugins: the cycle models', () => {
    const p = int32AccumulatorPlugin.resolve({ blocks: 1 });
    expect(int32AccumulatorPlugin.cycleModel!(p, [{ in: wide }])).toEqual([{ iiCycles: 2, latencyCycles: 4 }]);
    const q = fp32AccumulatorPlugin.resolve({ blocks: 1 });
    expect(fp32AccumulatorPlugin.cycleModel!(q, [{ in: { ...wide, numeric: 'fp32-terms' } }])).toEqual([{ iiCycles: 8, latencyCycles: 6 }]);
  });
  it('operator: II 2, latency 4', async () => {
    const tile = { meta: wide, payload: { kind: 'int32', psum: new Int32Array(2 * 512) } as PsumTile };
    const [t] = await lastValueFrom(from([tile]).pipe(accumulate({ blocks: 1 }), toArray()));
    expect([t!.iiCycles, t!.latencyCycles, t!.final]).toEqual([2, 4, true]);
  });
  it('operator: metadata and payload must agree', async () => {
    const run = (meta: PsumTileMeta, payload: PsumTile) => lastValueFrom(from([{ meta, payload }]).pipe(accumulate({ blocks: 1 })));
    await expect(run(psumMeta(0, 0, { blocks: 1 }), { kind: 'fp32-terms', positions: 1, terms: new Float32Array(8) })).rejects.toThrow(
      "accumulate: tile 0 says 'int32' partial sums but carries a 'fp32-terms' payload",
    );
    await expect(run(psumMeta(0, 0, { blocks: 1, numeric: 'fp32-terms' }), { kind: 'int32', psum: new Int32Array(8) })).rejects.toThrow(
      "accumulate: a int32 accumulator got 'fp32-terms' partial sums",
    );
  });
});

describe('accumulatorConformanceCases (what a generated accumulator package runs)', () => {
  it('one case per numeric kind, each passing its plugin: 15 cycles for INT32 (conformance.spec derives it)', () => {
    const [i32] = accumulatorConformanceCases('int32');
    const f32 = accumulatorConformanceCases('fp32');
    expect([accumulatorConformanceCases('int32').length, f32.length]).toEqual([1, 1]);
    expect(i32!.label).toBe('INT32, 3 blocks x 2 tiles of 40, T = 2');
    expect(f32[0]!.label).toBe('FP32 terms, 3 blocks x 2 tiles of 40, T = 2, 2 positions per block');
    expect(checkStageConformance(int32AccumulatorPlugin, i32!).cycles).toBe(15);
    expect(checkStageConformance(fp32AccumulatorPlugin, f32[0]!).outputs).toEqual({ out: 2 });
  });
});
