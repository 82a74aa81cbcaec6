import { describe, expect, it } from 'vitest';
import { GraphBuilder, RunError, runGraph, sinkActor, sourceActor, type ActorSpec } from './index.js';
import { thrown } from '../test-support/thrown.js';

/** Firing rules at the edges (engine-run.ts `tryFire`), each derived by hand. */

/** src (2 tokens, II 1, latency 0) -> a -> mid -> b -> sink. */
function relay(mid: Partial<ActorSpec>, tokens = 2) {
  const g = new GraphBuilder('relay');
  const a = g.stream('a', { depth: 2, widthBytes: 4 });
  const b = g.stream('b', { depth: 2, widthBytes: 4 });
  g.invoke(sourceActor({ name: 'src', count: tokens, widthBytes: 4 }), { out: { out: a } });
  g.invoke({ name: 'mid', inputs: { in: { widthBytes: 4 } }, outputs: { out: { widthBytes: 4 } }, cost: { iiCycles: 1, latencyCycles: 0 }, ...mid }, { in: { in: a }, out: { out: b } });
  g.invoke(sinkActor({ name: 'sink', widthBytes: 4 }), { in: { in: b } });
  return g.build();
}

describe('firing edges', () => {
  it('a first firing that reads nothing (without testing a port) fires at once, not as a poll', () => {
    // mid's firing 0 reads no port and writes out (default metadata {index 0, last false});
    // firings 1 and 2 read in (src's tokens, written at 0 and 1). mid fires at 0, 1, 2 (II 1,
    // each input already there), the sink reads b at 0, 1, 2: 3 cycles.
    const r = runGraph(relay({ firings: 3, reads: (i) => (i === 0 ? [] : ['in']) }));
    expect(r.cycles).toBe(3);
    expect(r.sinks['sink']!.map((t) => [t.meta.index, t.readyCycle])).toEqual([
      [0, 0],
      [0, 1],
      [1, 2],
    ]);
  });

  it('a firing that writes nothing does not hold back a later firing\'s write', () => {
    // mid: firing 0 (latency 5) writes nothing, firing 1 (latency 0) writes token 1 of src at
    // its start, 1. Writes are in firing order only among firings that write: the sink reads
    // at 1, and the run ends at max(1 + 1, mid's firing 0 pipeline drained at 0 + 5) = 5.
    const r = runGraph(relay({ writes: (i) => (i === 0 ? [] : ['out']), cost: (f) => ({ iiCycles: 1, latencyCycles: f.index === 0 ? 5 : 0 }) }));
    expect(r.sinks['sink']!.map((t) => [t.meta.index, t.readyCycle])).toEqual([[1, 1]]);
    expect(r.cycles).toBe(5);
  });

  it('a kernel error carries its cause', () => {
    const bad = new Error('bad tile');
    const e = thrown<RunError>(() =>
      runGraph(
        relay({
          kernel: () => {
            throw bad;
          },
        }),
        { mode: 'functional' },
      ),
    );
    expect(e).toBeInstanceOf(RunError);
    expect(e.message).toBe(`actor 'mid': kernel failed on firing 0 (inputs {"in":{"index":0,"last":false}}): bad tile`);
    expect(e.cause).toBe(bad);
    expect([e.actor, e.firingIndex]).toEqual(['mid', 0]);
  });
});
