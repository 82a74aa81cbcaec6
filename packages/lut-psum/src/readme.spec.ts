// The worked example of README.md, verbatim (keep them in sync).
import { describe, expect, it } from 'vitest';
import { GraphBuilder, runGraph, sinkActor, sourceActor } from '@lut-llm/core';
import { LINEAR_STREAM_WIDTH_BYTES as W } from '@lut-llm/contracts';
import { lutPsum2dStage } from './index.js';

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
});
