// The worked example of README.md, verbatim (keep them in sync).
import { describe, expect, it } from 'vitest';
import { GraphBuilder, sinkActor, sourceActor, stageActor } from '@lut-llm/core';
import { buildReport, parseReport, tracePass } from './index.js';

describe('README example', () => {
  it('gives the documented totals and explanation', () => {
    const g = new GraphBuilder('chain');
    const a = g.stream('a', { depth: 1, widthBytes: 4 });
    const b = g.stream('b', { depth: 1, widthBytes: 4 });
    g.invoke(sourceActor({ name: 'src', count: 3, widthBytes: 4, cost: { iiCycles: 1, latencyCycles: 1 } }), { out: { out: a } });
    g.invoke(stageActor({ name: 'slow', widthBytes: 4, cost: { iiCycles: 5, latencyCycles: 1 } }), { in: { in: a }, out: { out: b } });
    g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: b } });

    const { pass } = tracePass(g.build(), { label: 'chain' });
    expect(pass.cycles).toBe(16);
    expect(pass.totals.find((t) => t.actor === 'src')).toMatchObject({ busy: 3, causes: [{ state: 'blocked', on: 'a', cycles: 5 }], idle: 8 });
    expect(pass.bottlenecks[0]!.explanation).toBe(
      "slow is busy on its own work 94% of the pass; producers waited 5 producer-cycles on its full inputs (most on 'a', depth 1, peak 1), so a faster slow (lower II, more lanes) moves the bottleneck.",
    );

    const report = buildReport({ title: 'chain', config: {}, clockMhz: 250, passes: [pass] });
    expect(parseReport(JSON.stringify(report))).toEqual(report);
  });
});
