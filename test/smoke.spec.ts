import { expect, it } from 'vitest';
import { GraphBuilder, runGraph, sinkActor, sourceActor } from '@lut-llm/core';

it('resolves workspace packages from source and runs a graph', () => {
  const g = new GraphBuilder('smoke');
  const s = g.stream('s', { depth: 1, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'src', count: 3, widthBytes: 4 }), { out: { out: s } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: s } });
  // Depth 1: a token is written no earlier than 2 cycles after the previous one was read
  // (HLS FIFO flags are registered). Writes (= reads) at 0, 2, 4; the sink completes at 5.
  expect(runGraph(g.build()).cycles).toBe(5);
});
