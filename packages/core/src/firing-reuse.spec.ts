import { describe, expect, it } from 'vitest';
import { GraphBuilder, runGraph, sinkActor, sourceActor, type ActorSpec, type Firing, type TokenMeta } from './index.js';

/**
 * The reused Firing and output slots hold no tokens between firings (README "Ports by index"):
 * the engine clears them when a firing ends, so a consumed token is not kept alive by an
 * actor's reused arrays. A source of 3 tokens feeds `mid` (II 1, latency 0), which forwards
 * each token, into a sink.
 */
describe('reused firing state between firings', () => {
  it('a kept Firing shows no token once its firing has ended; emit always starts from an empty out', () => {
    let kept: Firing | undefined;
    const outAtEmit: string[] = [];
    const inAtCost: string[] = [];
    const g = new GraphBuilder('reuse');
    const a = g.stream('a', { depth: 2, widthBytes: 4 });
    const b = g.stream('b', { depth: 2, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 3, widthBytes: 4 }), { out: { out: a } });
    const mid: ActorSpec = {
      name: 'mid',
      inputs: { in: { widthBytes: 4 } },
      outputs: { out: { widthBytes: 4 } },
      cost: (f) => {
        // Firing i sees token i while it fires (and only then).
        inAtCost.push(`${f.index}:${String(f.in[0]?.index)}`);
        kept = f;
        return { iiCycles: 1, latencyCycles: 0 };
      },
      emit: (f, out: (TokenMeta | undefined)[]) => {
        outAtEmit.push(String(out[0]));
        out[0] = f.in[0];
      },
    };
    g.invoke(mid, { in: { in: a }, out: { out: b } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: b } });
    const r = runGraph(g.build());
    expect(inAtCost).toEqual(['0:0', '1:1', '2:2']);
    expect(outAtEmit).toEqual(['undefined', 'undefined', 'undefined']);
    // The same Firing object every time; after the run its port holds nothing.
    expect(kept).toBeDefined();
    expect(kept!.in).toEqual([undefined]);
    expect(r.sinks['sink']!.map((t) => t.meta.index)).toEqual([0, 1, 2]);
  });
});
