// The worked example of README.md, verbatim (keep them in sync).
import { describe, expect, it } from 'vitest';
import { GraphBuilder, runGraph, sinkActor, sourceActor } from '@lut-llm/core';
import { LINEAR_STREAM_WIDTH_BYTES as W } from '@lut-llm/contracts';
import { bpcsuStage, centroidSearch } from './index.js';
import { from, zip } from 'rxjs';

describe('README example', () => {
  it('runs and gives the documented cycle count', () => {
    const blocks = 4; // 64 positions = 4 blocks of 16 position lanes; GEMV (T = 1)
    const block = (b: number) => ({ op: 'demo', tokens: 1, block: b, blocks, posStart: 16 * b, posEnd: 16 * b + 16 });
    const g = new GraphBuilder('bpcsu-alone');
    const act = g.stream('act', { depth: 2, widthBytes: W });
    const cent = g.stream('cent', { depth: 2, widthBytes: W });
    const idx = g.stream('idx', { depth: 16, widthBytes: W });
    g.invoke(sourceActor({ name: 'act-src', count: blocks, widthBytes: W, meta: (b) => ({ kind: 'activation', v: 2, ...block(b) }) }), { out: { out: act } });
    g.invoke(sourceActor({ name: 'cent-src', count: blocks, widthBytes: W, meta: (b) => ({ kind: 'centroids', centroids: 64, v: 2, ...block(b) }) }), { out: { out: cent } });
    bpcsuStage.install(g, 'bpcsu', bpcsuStage.defaults, { in: { act, centroids: cent }, out: { out: idx } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: W }), { in: { in: idx } });
    const cycles = runGraph(g.build()).cycles; // 3 x 16 + 66 + 1 = 115
    expect(cycles).toBe(115);
  });

  it('"Use it as an RxJS operator": indices and cycles as documented', () => {
    const block = { op: 'demo', tokens: 1, block: 0, blocks: 1, posStart: 0, posEnd: 16 } as const;
    // 16 positions of x = (0.5, 0.5); every position's codebook holds centroids (c/64, c/64), c = 0..63.
    const act = { meta: { kind: 'activation', v: 2, ...block } as const, payload: { x: new Float32Array(32).fill(0.5) } };
    const codebooks = Float32Array.from({ length: 16 * 64 * 2 }, (_, i) => ((i >> 1) % 64) / 64);
    const centroids = { meta: { kind: 'centroids', centroids: 64, v: 2, ...block } as const, payload: { codebooks } };
    const seen: [number[], number, number][] = [];
    zip(from([act]), from([centroids]))
      .pipe(centroidSearch())
      .subscribe((t) => seen.push([Array.from(t.payload.indices), t.iiCycles, t.latencyCycles]));
    expect(seen).toEqual([[Array(16).fill(32), 16, 66]]);
  });
});
