// The worked example of README.md, verbatim (keep them in sync).
import { describe, expect, it } from 'vitest';
import { GraphBuilder, runGraph, sinkActor, sourceActor } from '@lut-llm/core';
import { LINEAR_STREAM_WIDTH_BYTES as W } from '@lut-llm/contracts';
import { dequantizerStage } from './index.js';

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
});
