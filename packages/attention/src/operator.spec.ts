import type { AttentionQueryMeta } from '@lut-llm/contracts';
import { Rng } from '@lut-llm/vq';
import { from, lastValueFrom, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ATTENTION_PARAMS, attention, attentionFiringCosts, attentionJobCycles, attentionJobFp32, resolveAttentionParams } from './index.js';

/**
 * The attention operator against the unit's whole-job function (bit-identical: same order of
 * operations) and the cycle model's functions. Cycle counts themselves are not asserted here: the
 * as-built attention cycle model is specified and tested in cycle-model.spec.
 */
const shape = { heads: 4, kvHeads: 2, headDim: 16 };
const hw = resolveAttentionParams({ shape, kvChunkPositions: 8 });
const rng = new Rng(31);
const randn = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
const row = shape.kvHeads * shape.headDim;

function job(phase: 'prefill' | 'decode', queryStart: number, queryTokens: number) {
  const keys = randn((queryStart + queryTokens) * row);
  const values = randn((queryStart + queryTokens) * row);
  const q = randn(queryTokens * shape.heads * shape.headDim);
  const meta: AttentionQueryMeta = { layer: 2, phase, queryTokens, queryStart };
  const input = {
    meta,
    payload: { q, k: keys.subarray(queryStart * row), v: values.subarray(queryStart * row) },
    ...(queryStart > 0 ? { history: { k: keys.subarray(0, queryStart * row), v: values.subarray(0, queryStart * row) } } : {}),
  };
  return { input, want: attentionJobFp32(meta, q, keys, values, hw) };
}

describe('attention operator', () => {
  it('decode over a 21-position history (chunks 8, 8, 5), prefill of 5 tokens at 0 and at 13: bit-identical to attentionJobFp32', async () => {
    const jobs = [job('decode', 21, 1), job('prefill', 0, 5), job('prefill', 13, 5)];
    const out = await lastValueFrom(from(jobs.map((j) => j.input)).pipe(attention({ shape, kvChunkPositions: 8 }), toArray()));
    out.forEach((t, i) => expect(Array.from(t.payload)).toEqual(Array.from(jobs[i]!.want)));
    expect(out.map((t) => [t.meta.phase, t.meta.queryStart, t.payload.length])).toEqual([
      ['decode', 21, 64],
      ['prefill', 0, 320],
      ['prefill', 13, 320],
    ]);
  });

  it("cycles are the cycle model's: II = the sum of the job's firing IIs, latency = attentionJobCycles", async () => {
    const j = job('decode', 21, 1);
    const [t] = await lastValueFrom(of(j.input).pipe(attention({ shape, kvChunkPositions: 8 }), toArray()));
    const costs = attentionFiringCosts(hw, j.input.meta);
    expect(costs.length).toBe(4); // the new token's own block + 3 history chunks
    expect(t!.iiCycles).toBe(costs.reduce((s, c) => s + c.iiCycles, 0));
    expect(t!.latencyCycles).toBe(attentionJobCycles(hw, j.input.meta));
  });

  it('errors: a history of the wrong length, a missing history, a job the unit cannot run', async () => {
    const j = job('decode', 21, 1);
    const run = (input: typeof j.input) => lastValueFrom(of(input).pipe(attention({ shape, kvChunkPositions: 8 })));
    await expect(run({ ...j.input, history: { k: j.input.history!.k.subarray(row), v: j.input.history!.v } })).rejects.toThrow(/history K and V must be 21 positions x 32 = 672 values each, got 640 and 672/);
    await expect(run({ meta: j.input.meta, payload: j.input.payload })).rejects.toThrow(/got none/);
    await expect(run({ ...j.input, meta: { ...j.input.meta, queryTokens: 2 } })).rejects.toThrow(RangeError);
    expect(() => attention({ ...DEFAULT_ATTENTION_PARAMS, bogus: 1 } as never)).toThrow("attention operator: unknown parameter 'bogus'");
    // V alone one position short; the message names the job.
    await expect(run({ ...j.input, history: { k: j.input.history!.k, v: j.input.history!.v.subarray(row) } })).rejects.toThrow(
      'attention operator (layer 2 decode at 21): history K and V must be 21 positions x 32 = 672 values each, got 672 and 640',
    );
  });

  it('README example: a zero query weighs the three values equally; latency = attentionJobCycles', () => {
    const shape = { heads: 2, kvHeads: 1, headDim: 4 };
    // Decode of one token at position 2: the history holds positions 0 and 1 (one K/V head of 4).
    const history = { k: Float32Array.of(1, 0, 0, 0, 0, 1, 0, 0), v: Float32Array.of(1, 1, 1, 1, 3, 3, 3, 3) };
    const job = { layer: 0, phase: 'decode', queryTokens: 1, queryStart: 2 } as const;
    const payload = { q: new Float32Array(8), k: new Float32Array(4), v: Float32Array.of(2, 2, 2, 2) };
    const seen: [number[], number][] = [];
    of({ meta: job, payload, history })
      .pipe(attention({ shape }))
      .subscribe((t) => seen.push([Array.from(t.payload), t.latencyCycles]));
    expect(seen.length).toBe(1);
    for (const y of seen[0]![0]) expect(y).toBeCloseTo(2, 6); // (1 + 3 + 2) / 3
    expect(seen[0]![1]).toBe(attentionJobCycles(resolveAttentionParams({ shape }), job));
  });
});

describe('attention operator by hand (small shape of hand-cycles.spec)', () => {
  const small = { shape: { heads: 4, kvHeads: 2, headDim: 16 }, qkMacsPerCycle: 64, pvMacsPerCycle: 64, queryTileRows: 9, kvTilePositions: 8, kvChunkPositions: 32 };
  // Decode at position 40 with zero queries: every score is 0, so each head averages V over
  // positions 0..40; V of position p is p everywhere, so every output is (0 + ... + 40) / 41 = 20.
  const vRows = (from: number, n: number) => Float32Array.from({ length: n * 32 }, (_, i) => from + Math.floor(i / 32));
  const input = (meta: AttentionQueryMeta) => ({
    meta,
    payload: { q: new Float32Array(64), k: new Float32Array(32), v: vRows(40, 1) },
    history: { k: new Float32Array(40 * 32), v: vRows(0, 40) },
  });
  it('II 2 + 64 + 16 = 82 (the firings), latency 180 (with the tail); outputs 20; index and last passed on when given', async () => {
    const job: AttentionQueryMeta = { layer: 3, phase: 'decode', queryTokens: 1, queryStart: 40 };
    const out = await lastValueFrom(from([input({ ...job, index: 7, last: true }), input(job)]).pipe(attention(small), toArray()));
    expect(out.map((t) => [t.iiCycles, t.latencyCycles])).toEqual([
      [82, 180],
      [82, 180],
    ]);
    // toStrictEqual: a meta without index or last has no such keys (not keys set to undefined).
    expect(out.map((t) => t.meta)).toStrictEqual([{ ...job, index: 7, last: true }, job]);
    for (const y of out[0]!.payload) expect(y).toBeCloseTo(20, 5);
    expect(out[0]!.payload.length).toBe(64);
  });
});
