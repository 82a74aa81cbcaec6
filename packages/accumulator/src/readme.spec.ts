// The worked example of README.md, verbatim (keep them in sync).
import { describe, expect, it } from 'vitest';
import { GraphBuilder, runGraph, sinkActor, sourceActor } from '@lut-llm/core';
import { LINEAR_STREAM_WIDTH_BYTES as W } from '@lut-llm/contracts';
import { int32AccumulatorStage, accumulate } from './index.js';
import { filter, from } from 'rxjs';

describe('README example', () => {
  it('runs and gives the documented cycle count', () => {
    const blocks = 8;
    const tilesPerBlock = 4; // 8 position blocks x 4 output tiles of 512, GEMV
    const g = new GraphBuilder('acc-alone');
    const psums = g.stream('psums', { depth: 2, widthBytes: W });
    const out = g.stream('out', { depth: 8, widthBytes: W });
    g.invoke(
      sourceActor({
        name: 'psum-src', count: blocks * tilesPerBlock, widthBytes: W,
        meta: (i) => {
          const b = Math.floor(i / tilesPerBlock);
          const j = i % tilesPerBlock;
          return { kind: 'psum', numeric: 'int32', op: 'demo', tokens: 1, block: b, blocks, posStart: 16 * b, posEnd: 16 * b + 16, tile: j, tilesPerBlock, outStart: 512 * j, outEnd: 512 * j + 512 };
        },
      }),
      { out: { out: psums } },
    );
    // install() declares the output buffer: a self-loop stream of tilesPerBlock tiles.
    int32AccumulatorStage.install(g, 'acc', { ...int32AccumulatorStage.defaults, blocks, tilesPerBlock }, { in: { in: psums }, out: { out } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: W }), { in: { in: out } });
    const r = runGraph(g.build());
    expect(r.sinks['sink']!.length).toBe(4); // one tile per output tile, after the last block
    expect(r.cycles).toBe(4 * blocks + 4); // firing i at cycle i; the last is readable at 31 + 4
  });

  it('"Use it as an RxJS operator": the final tile and cycles as documented', () => {
    const psum = (block: number, values: number[]) => ({
      meta: { kind: 'psum', numeric: 'int32', op: 'demo', tokens: 1, block, blocks: 3, posStart: 16 * block, posEnd: 16 * block + 16, tile: 0, tilesPerBlock: 1, outStart: 0, outEnd: 4 } as const,
      payload: { kind: 'int32', psum: Int32Array.from(values) } as const,
    });
    const seen: [number[], number, number][] = [];
    from([psum(0, [1, 2, 3, 4]), psum(1, [10, 20, 30, 40]), psum(2, [100, 200, 300, 400])])
      .pipe(accumulate({ blocks: 3, tilesPerBlock: 1 }), filter((t) => t.final))
      .subscribe((t) => seen.push([t.payload.kind === 'int32' ? Array.from(t.payload.acc) : [], t.iiCycles, t.latencyCycles]));
    expect(seen).toEqual([[[111, 222, 333, 444], 1, 4]]);
  });
});
