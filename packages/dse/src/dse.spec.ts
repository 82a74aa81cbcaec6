import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { V80_DSP58, estimateOnChip } from './resources.js';
import { dominates, paretoFront } from './pareto.js';
import { expandGrid, parseGrid, pointHash, resolvePoint } from './grid.js';
import { markPareto, runSweepLocal } from './sweep.js';
import { sweepCsv } from './output.js';
import type { PointResult } from './evaluate.js';
import { PLATFORM_PRESETS } from '@lut-llm/accelerator';
import { QWEN3_CONFIGS } from '@lut-llm/model';

describe('paretoFront', () => {
  it('marks the non-dominated points of a hand-made set (all objectives minimised)', () => {
    const pts = [
      [1, 5, 5], // front: best in the first objective
      [2, 2, 2], // front
      [3, 3, 3], // dominated by [2,2,2]
      [2, 2, 2], // equal to point 1: neither dominates the other, both on the front
      [5, 1, 9], // front: best in the second
      undefined, // infeasible: never on the front
      [9, 9, 1], // front: best in the third
      [1, 5, 6], // dominated by [1,5,5]
    ];
    expect(paretoFront(pts)).toEqual([true, true, false, true, true, false, true, false]);
  });

  it('no front point is dominated, and every other defined point is dominated by a front point', () => {
    const vec = fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 3, maxLength: 3 });
    fc.assert(
      fc.property(fc.array(fc.option(vec, { nil: undefined }), { maxLength: 30 }), (pts) => {
        const front = paretoFront(pts);
        pts.forEach((p, i) => {
          if (p === undefined) return expect(front[i]).toBe(false);
          const dominated = pts.some((q) => q !== undefined && dominates(q, p));
          expect(front[i]).toBe(!dominated);
          if (!front[i]) expect(pts.some((q, j) => front[j] && q !== undefined && dominates(q, p))).toBe(true);
        });
      }),
    );
  });

  it('markPareto: only ok points compete; latency and memory minimised, tokens/J and SQNR maximised', () => {
    const row = (e2eMs: number, tokensPerJoule: number, memoryBits: number, status: PointResult['status'] = 'ok', sqnrDb = 10): PointResult => ({
      hash: `${e2eMs}-${tokensPerJoule}-${memoryBits}-${status}`,
      settings: {},
      model: 'm',
      status,
      reasons: [],
      ttftMs: 1,
      decodeMsPerToken: 1,
      e2eMs,
      tokensPerJoule,
      onChip: { bram18: 0, uram: 0, lutramLuts: 0, dsp: 0, budget: { bram18: 1, uram: 1, lutramLuts: 1, dsp: 1 }, memoryBits, maxFraction: 0, fifos: { count: 0, bram18: 0, uram: 0, lutramLuts: 0 } },
      onChipNote: '',
      accuracy: { sqnrDb, cosine: 0.9 },
    });
    const marked = markPareto([row(10, 5, 100), row(10, 6, 100), row(5, 1, 100, 'infeasible'), row(20, 6, 50), row(30, 6, 100, 'ok', 11), row(30, 6, 100, 'ok', 9)]);
    // [10,6,100] dominates [10,5,100] (more tokens/J); the infeasible one is off; [20,6,50] wins on memory;
    // the slowest point stays on the front with the highest SQNR, its twin with a lower SQNR does not.
    expect(marked.map((r) => r.pareto)).toEqual([false, true, false, true, true, false]);
  });
});

describe('grid', () => {
  it('names every problem with its path', () => {
    expect(() => parseGrid({ axes: { cA: [], clockMhz: [-1], colour: [1] } })).toThrow(/axes: Unrecognized key.*"colour"/);
    expect(() => parseGrid({ axes: { cA: [] } })).toThrow(/axes\.cA: an axis needs at least one value/);
    expect(() => parseGrid({ axes: { clockMhz: [-1] } })).toThrow(/axes\.clockMhz\.0: /);
    expect(() => parseGrid({ axes: { model: ['Qwen3-3B'] } })).toThrow(/axes\.model\.0: /);
    expect(() => parseGrid('{')).toThrow(/grid: not JSON/);
  });

  it('expands the cartesian product, first axis slowest, and maps axes to platform fields', () => {
    const g = parseGrid({ axes: { model: ['Qwen3-0.6B', 'Qwen3-1.7B'], bpcsuCount: [8, 16], clockMhz: [200, 250, 300], hbmChannels: [{ weights: 28, kvRead: 4 }] } });
    const pts = expandGrid(g);
    expect(pts).toHaveLength(12);
    expect(pts[0]!.settings).toEqual({ model: 'Qwen3-0.6B', bpcsuCount: 8, hbmChannels: { weights: 28, kvRead: 4 }, clockMhz: 200 });
    expect(pts[11]!.settings.model).toBe('Qwen3-1.7B');
    const { model, platform } = resolvePoint(pts[4]!);
    expect(model).toBe(QWEN3_CONFIGS['Qwen3-0.6B']);
    expect(platform.clockMhz).toBe(250);
    expect(platform.stages['lut-linear']).toMatchObject({ positionLanes: 16 });
    expect(platform.hbm.channels).toEqual({ ...PLATFORM_PRESETS['v80-int4-250'].hbm.channels, weights: 28, kvRead: 4 });
    expect(platform.stages.attention).toEqual(PLATFORM_PRESETS['v80-int4-250'].stages.attention); // untouched stages keep the preset's
  });

  it('parses the shipped example grid (32 points, each resolving to a platform)', () => {
    const g = parseGrid(readFileSync(new URL('../examples/v80-design-space.json', import.meta.url), 'utf8'));
    const pts = expandGrid(g);
    expect(pts).toHaveLength(32);
    for (const p of pts) expect(() => resolvePoint(p)).not.toThrow();
    expect(new Set(pts.map(pointHash)).size).toBe(32);
  });

  it('hashes the resolved content: same hardware, same hash, whatever the key order', () => {
    const g = parseGrid({ axes: { clockMhz: [250], lutBits: [4] } });
    const [a] = expandGrid(g);
    const b = { ...a!, settings: { lutBits: 4, clockMhz: 250 } };
    // The default platform is already INT4 at 250 MHz: the settings change nothing, so the hash is the bare preset's.
    expect(pointHash(b)).toBe(pointHash(a!));
    expect(pointHash({ ...a!, settings: {} })).toBe(pointHash(a!));
    expect(pointHash({ ...a!, settings: { clockMhz: 251 } })).not.toBe(pointHash(a!));
  });
});

describe('estimateOnChip', () => {
  it('counts the modelled buffers of the default design by hand', () => {
    const model = QWEN3_CONFIGS['Qwen3-1.7B'];
    const platform = PLATFORM_PRESETS['v80-int4-250'];
    const e = estimateOnChip(model, platform, { positions: 256, variant: 'co-quant' });
    // DSP: 16 BPCSUs x 64 dPEs x v = 2 subtracts, + the as-built attention's qk + pv MACs.
    const bank = (n: string) => e.banks.find((b) => b.name === n)!.primitives;
    expect(e.dsp - 16 * 64 * 2).toBeGreaterThan(0);
    // Accumulator: 128 tokens x (512 lanes x 32 bits): 16384 / 72 = 228 URAM lanes, 128 words fit one URAM deep (4096 x 72).
    expect(bank('accumulator.buffer')).toBe(228);
    // Activations: 128 x 6144 FP32 words, 32-bit wide: one URAM lane of depth 288 Ki / 32 = 9216 words -> ceil(786432 / 9216) = 86.
    expect(bank('activations')).toBe(86);
    // Tables per matcher: 2 x ceil(512 / G = 512) = 2 tables x 64 rows of 16 x 4 = 64 bits, 4 partitions of 32 rows:
    // one 72-bit lane, 32 rows fit one BRAM36 -> 4 BRAM36 per matcher, 16 matchers -> 64 BRAM36 = 128 BRAM18 (+ the indices' BRAM).
    expect(bank('lut-psum.tables[0]')).toBe(4);
    expect(e.budget.dsp).toBe(V80_DSP58);
    expect(e.problems).toEqual([]);
  });
});

describe('runSweepLocal', () => {
  const grid = parseGrid({ request: { promptTokens: 16, outputTokens: 4, decodeSamples: 2 }, axes: { model: ['tiny'], clockMhz: [200, 250], cA: [32, 64, 1000] } });

  it('gives the same rows serially and on 2 workers; invalid points reported with the reason, never dropped', async () => {
    const serial = await runSweepLocal(expandGrid(grid), { workers: 0 });
    const progress: number[] = [];
    const pooled = await runSweepLocal(expandGrid(grid), { workers: 2, onProgress: (d) => progress.push(d) });
    expect(pooled).toEqual(serial);
    expect(progress).toEqual([1, 2, 3, 4, 5, 6]);
    expect(serial).toHaveLength(6);
    const bad = serial.filter((r) => r.status === 'invalid');
    expect(bad).toHaveLength(2);
    expect(bad[0]!.reasons[0]).toMatch(/vq\.cA: expected an integer in 1\.\.256, got 1000/);
    // Faster clock, same cycles structure: 250 MHz points are quicker than their 200 MHz twins.
    const ok = serial.filter((r) => r.status === 'ok');
    expect(ok).toHaveLength(4);
    expect(ok.some((r) => r.pareto)).toBe(true);
    const csv = sweepCsv(serial).split('\n');
    expect(csv[0]!.startsWith('cA,clockMhz,hash,model,status,pareto,')).toBe(true);
    expect(csv).toHaveLength(8); // header, 6 rows, trailing newline
  });

  it('reports HBM-capacity infeasibility with the reason (Qwen3-32B on the V80)', async () => {
    const g = parseGrid({ request: { promptTokens: 16, outputTokens: 2, decodeSamples: 2, layers: 1 }, axes: { model: ['Qwen3-32B'] } });
    const [row] = await runSweepLocal(expandGrid(g), { workers: 0 });
    expect(row!.status).toBe('infeasible');
    expect(row!.reasons.join(' ')).toMatch(/HBM weights channels: .* over/);
    expect(row!.e2eMs).toBeGreaterThan(0); // emulated as a what-if
    expect(row!.pareto).toBe(false);
  });
});
