import { buildPassGraph, V80_PLATFORM } from '@lut-llm/accelerator';
import { runGraph, type Recording } from '@lut-llm/core';
import { tinyQwen3Config } from '@lut-llm/model';
import { describe, expect, it } from 'vitest';
import { replayFloor } from './floor.js';

describe('replayFloor (the engine-floor bench loop)', () => {
  const { graph } = buildPassGraph({ model: tinyQwen3Config(), platform: V80_PLATFORM, tokens: 1, history: 64, phase: 'decode' });
  const rec = runGraph(graph, { record: true }).recording!;
  const rates = Float64Array.from(graph.resources, (r) => r.unitsPerCycle);

  it('replays every recorded firing once, each token read at or after its write cycle', () => {
    const r = replayFloor(rec, rates);
    expect(r.firings).toBe(rec.firings);
    expect(r.events).toBe(rec.firings);
    expect(r.readsBeforeWrite).toBe(0);
    expect(r.busyUntil).toBeGreaterThan(0);
  });

  it('with the stages, moves every token through their callbacks (a PSum pairing a wrong weight tile would throw)', () => {
    const r = replayFloor(rec, rates, true);
    expect([r.events, r.readsBeforeWrite]).toEqual([rec.firings, 0]);
  });

  it('counts a read before its write: the check is real', () => {
    // The first firing that reads a token written by a firing with latency >= 1, moved to its
    // producer's start cycle: the token is not written yet when it is read.
    const writer = new Map<number, number>();
    let moved = -1;
    for (let g = 0; g < rec.firings && moved < 0; g++) {
      const s = rec.opStart[g]!;
      for (let k = s; k < s + rec.nReads[g]!; k++) {
        const p = writer.get(rec.ops[k]!);
        if (p !== undefined && rec.latencyCycles[p]! >= 1 && rec.startCycle[g]! > rec.startCycle[p]!) moved = g;
      }
      for (let k = s + rec.nReads[g]!; k < rec.opStart[g + 1]!; k++) writer.set(rec.ops[k]!, g);
    }
    expect(moved).toBeGreaterThan(0);
    // Only its own start moves (the keys keep the recorded order of the other firings).
    const startCycle = rec.startCycle.slice();
    let p = -1;
    for (let k = rec.opStart[moved]!; k < rec.opStart[moved]! + rec.nReads[moved]!; k++) {
      for (let h = moved - 1; h >= 0 && p < 0; h--) {
        for (let q = rec.opStart[h]! + rec.nReads[h]!; q < rec.opStart[h + 1]!; q++) if (rec.ops[q] === rec.ops[k] && rec.latencyCycles[h]! >= 1) p = h;
      }
    }
    startCycle[moved] = startCycle[p]!;
    const bad: Recording = { ...rec, startCycle };
    expect(replayFloor(bad, rates).readsBeforeWrite).toBeGreaterThan(0);
  });
});
