// The worked example of README.md, verbatim (keep them in sync).
import { describe, expect, it } from 'vitest';
import { GraphBuilder, runGraph, sinkActor, sourceActor } from '@lut-llm/core';
import { LINEAR_STREAM_WIDTH_BYTES as W } from '@lut-llm/contracts';
import { lutPsum2dStage, lutPsum2d } from './index.js';
import { concatMap, of } from 'rxjs';
import { Rng, synthesizeQuantizedLinear, type QuantizedLinear } from '@lut-llm/vq';

describe('README example', () => {
  it('runs and gives the documented cycle count', () => {
    const N = 4; // 4 position blocks x 1 output tile of 512, GEMV (T = 1)
    const block = (b: number) => ({ op: 'demo', tokens: 1, block: b, blocks: N, posStart: 16 * b, posEnd: 16 * b + 16 });
    const g = new GraphBuilder('psum-alone');
    const idx = g.stream('idx', { depth: 2, widthBytes: W });
    const weights = g.stream('weights', { depth: 2, widthBytes: W });
    const psums = g.stream('psums', { depth: 32, widthBytes: W });
    g.invoke(sourceActor({ name: 'idx-src', count: N, widthBytes: W, meta: (b) => ({ kind: 'activation-index', ...block(b) }) }), { out: { out: idx } });
    g.invoke(
      sourceActor({
        name: 'w-src', count: N, widthBytes: W,
        meta: (b) => ({ kind: 'weights', variant: 'co-quant', ...block(b), tile: 0, tilesPerBlock: 1, outStart: 0, outEnd: 512, group: 0, loadsTable: true, bytes: 20480 }),
      }),
      { out: { out: weights } },
    );
    // install() declares the table bank (a shared resource) and the matchers' index register.
    lutPsum2dStage.install(g, 'psum', lutPsum2dStage.defaults, { in: { act: idx, weights }, out: { out: psums } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: W }), { in: { in: psums } });
    const r = runGraph(g.build());
    expect(r.cycles).toBe(9 * (N - 1) + 9 + 21 + 1); // 58: bank 9 cycles per tile, latency 21
  });

  it('"Use it as an RxJS operator": partial sums and cycles as documented', () => {
    const layer = synthesizeQuantizedLinear(1024, 32, {}, new Rng(1)); // 16 positions, 2 groups of 512
    const block = { op: 'demo', tokens: 1, block: 0, blocks: 1, posStart: 0, posEnd: 16 } as const;
    const indices = { meta: { kind: 'activation-index', ...block } as const, payload: { indices: new Uint8Array(16).fill(3) } };
    const weightTile = (j: number) => ({
      meta: { kind: 'weights', variant: 'co-quant', ...block, tile: j, tilesPerBlock: 2, outStart: 512 * j, outEnd: 512 * j + 512, group: j, loadsTable: true, bytes: 0 } as const,
      payload: { layer },
    });
    const seen: [Int32Array, number, number][] = [];
    of(indices)
      .pipe(
        concatMap((idx) => [0, 1].map((j) => [idx, weightTile(j)] as const)),
        lutPsum2d(),
      )
      .subscribe((t) => seen.push([t.payload.kind === 'int32' ? t.payload.psum : new Int32Array(), t.iiCycles, t.latencyCycles]));
    // The documented sum, written out: output n of group g reads T[p][g][3][w(p, n)] (4-bit w, low nibble first).
    const entry = (q: QuantizedLinear, p: number, n: number) => {
      const byte = q.weightIndices[p * q.weightIndexRowBytes + (n >> 1)]!;
      return q.lut[((p * q.groups + (n >> 9)) * 64 + 3) * 16 + ((n & 1) === 0 ? byte & 15 : byte >> 4)]!;
    };
    const want = (j: number) => Array.from({ length: 512 }, (_, i) => Array.from({ length: 16 }, (_, p) => entry(layer, p, 512 * j + i)).reduce((a, b) => a + b, 0));
    expect(seen.map(([psum, ii, lat]) => [Array.from(psum), ii, lat])).toEqual([
      [want(0), 1, 21],
      [want(1), 1, 21],
    ]);
  });
});
