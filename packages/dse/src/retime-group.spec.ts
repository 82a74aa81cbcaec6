import { describe, expect, it } from 'vitest';
import { expandGrid, parseGrid } from './grid.js';
import { runSweepLocal } from './sweep.js';
import type { PointTiming } from './retime-group.js';

describe('re-timing inside a sweep', () => {
  // 2 x 2 x 2 = 8 points: per model, 4 that differ only in clock and FIFO depths (one group each;
  // the model changes the firings). One layer of Qwen3-0.6B is where depth-1 psums / weight-tiles
  // FIFOs cost cycles (in the tiny model every LUTLinear op is one tile: depths change nothing).
  const grid = parseGrid({
    request: { promptTokens: 16, outputTokens: 2, decodeSamples: 2, layers: 1 },
    axes: { model: ['tiny', 'Qwen3-0.6B'], clockMhz: [200, 250], fifoDepths: [{}, { psums: 1, 'weight-tiles': 1 }] },
  });
  const points = expandGrid(grid);

  it('gives exactly the rows of a full emulation of every point, and says which points were re-timed', async () => {
    const timings = new Map<string, PointTiming>();
    const retimed = await runSweepLocal(points, { workers: 0, onProgress: (_d, _t, r, timing) => timings.set(r.hash, timing) });
    const full = await runSweepLocal(points, { workers: 0, retime: false });
    expect(retimed).toEqual(full);
    expect(retimed).toHaveLength(8);
    // One point per model is emulated (the first of its group), the other 3 re-timed from its recording.
    const kinds = retimed.map((r) => timings.get(r.hash)!);
    expect(kinds.map((k) => k.kind)).toEqual(['emulated', 'retimed', 'retimed', 'retimed', 'emulated', 'retimed', 'retimed', 'retimed']);
    const re = kinds.filter((k) => k.kind === 'retimed');
    expect(re.map((k) => k.from)).toEqual([0, 0, 0, 4, 4, 4].map((i) => retimed[i]!.hash));
    // Two passes per point (one prefill chunk, one decode step), each accounted for.
    for (const k of re) expect(k.exactPasses + k.rerunPasses).toBe(2);
    // The depths matter here, so re-timing did real work: depth-1 FIFOs cost Qwen3-0.6B cycles at one clock.
    const at = (over: object) => full.find((r) => r.model === 'Qwen3-0.6B' && r.settings.clockMhz === 250 && JSON.stringify(r.settings.fifoDepths) === JSON.stringify(over))!;
    expect(at({ psums: 1, 'weight-tiles': 1 }).e2eMs).toBeGreaterThan(at({}).e2eMs!);
  }, 240_000);

  it('on 2 workers (the groups\' pass tasks on the re-timing pool): the same rows and the same provenance', async () => {
    const serial = new Map<string, PointTiming>();
    const pooled = new Map<string, PointTiming>();
    const a = await runSweepLocal(points, { workers: 0, onProgress: (_d, _t, r, timing) => serial.set(r.hash, timing) });
    const b = await runSweepLocal(points, { workers: 2, onProgress: (_d, _t, r, timing) => pooled.set(r.hash, timing) });
    expect(b).toEqual(a);
    expect(new Map([...pooled].sort())).toEqual(new Map([...serial].sort()));
  }, 240_000);
});
