// The worked example of README.md, verbatim (keep them in sync).
import { describe, expect, it } from 'vitest';
import { GraphBuilder, runGraph, sinkActor, sourceActor } from '@lut-llm/core';
import { LINEAR_STREAM_WIDTH_BYTES as W } from '@lut-llm/contracts';
import { dequantizerStage, dequantize } from './index.js';
import { from, zip } from 'rxjs';
import { Rng, synthesizeQuantizedLinear } from '@lut-llm/vq';

describe('README example', () => {
  it('runs and gives the documented cycle count', () => {
    const tiles = 4; // 4 output tiles of 512 (M = 2048), T = 2
    const tile = (j: number) => ({ op: 'demo', tokens: 2, tile: j, tilesPerBlock: tiles, outStart: 512 * j, outEnd: 512 * j + 512 });
    const g = new GraphBuilder('dequantizer-alone');
    const acc = g.stream('acc', { depth: 2, widthBytes: W });
    const scales = g.stream('scales', { depth: 2, widthBytes: W });
    const out = g.stream('out', { depth: 2, widthBytes: W });
    g.invoke(sourceActor({ name: 'acc-src', count: tiles, widthBytes: W, meta: (j) => ({ kind: 'accumulated', numeric: 'int32', ...tile(j) }) }), { out: { out: acc } });
    g.invoke(sourceActor({ name: 'scale-src', count: tiles, widthBytes: W, meta: (j) => ({ kind: 'scales', group: j, ...tile(j) }) }), { out: { out: scales } });
    dequantizerStage.install(g, 'dequantizer', dequantizerStage.defaults, { in: { in: acc, scales }, out: { out } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: W }), { in: { in: out } });
    expect(runGraph(g.build()).cycles).toBe(tiles * 2 * 16); // II = T x 512 / 32 lanes = 32 per tile
  });

  it('"Use it as an RxJS operator": outputs and cycles as documented', () => {
    // P = 3 positions, one group of 4 outputs with scale 0.5 and zero point 3 (so zp x P = 9).
    const layer = { ...synthesizeQuantizedLinear(4, 6, { groupSize: 4 }, new Rng(1)), lutScale: Float32Array.of(0.5), lutZeroPoint: Int32Array.of(3) };
    const tile = { op: 'demo', tokens: 1, tile: 0, tilesPerBlock: 1, outStart: 0, outEnd: 4 } as const;
    const acc = { meta: { kind: 'accumulated', numeric: 'int32', ...tile } as const, payload: { kind: 'int32', acc: Int32Array.of(9, 11, 5, 109) } as const };
    const scales = { meta: { kind: 'scales', group: 0, ...tile } as const, payload: { layer } };
    const seen: [number[], number, number][] = [];
    zip(from([acc]), from([scales]))
      .pipe(dequantize())
      .subscribe((t) => seen.push([Array.from(t.payload.y), t.iiCycles, t.latencyCycles]));
    expect(seen).toEqual([[[0, 1, -2, 50], 1, 7]]);
  });
});
