import { expect, it } from 'vitest';
import { GraphBuilder, runGraph, sinkActor, sourceActor } from '@lut-llm/core';

it('resolves workspace packages from source and runs a graph', () => {
  const g = new GraphBuilder('smoke');
  const s = g.stream('s', { depth: 1, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'src', count: 3, widthBytes: 4 }), { out: { out: s } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: s } });
  // src fires at 0, 1, 2 (the sink frees the slot in the cycle it reads); sink completes at 3.
  expect(runGraph(g.build()).cycles).toBe(3);
});
