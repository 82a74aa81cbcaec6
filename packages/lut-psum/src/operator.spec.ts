import type { ActivationIndexTileMeta, ActivationTileMeta, LinearVariant, WeightTileMeta } from '@lut-llm/contracts';
import { Rng, activationOnlyAccumulateTile, buildActivationOnlyLinear, synthesizeQuantizedLinear, syntheticWeights, weightOnlyAccumulateTile } from '@lut-llm/vq';
import { lastValueFrom, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { lutPsum1d, lutPsum2d, weightOnlyPsum } from './index.js';

// One block of 13 positions (v = 2, D = 26) and one output tile [0, 48) of M = 48, G = 48.
const rng = new Rng(5);
const M = 48;
const q = synthesizeQuantizedLinear(M, 26, { groupSize: 48 }, rng);
const block = (tokens: number) => ({ op: 'x', tokens, block: 0, blocks: 1, posStart: 0, posEnd: 13 });
const weights = <L>(variant: LinearVariant, layer: L, tokens: number, loadsTable = true) => ({
  meta: { kind: 'weights', variant, ...block(tokens), tile: 0, tilesPerBlock: 1, outStart: 0, outEnd: M, group: 0, loadsTable, bytes: 0 } as WeightTileMeta,
  payload: { layer },
});
const indices = (tokens: number) => ({ meta: { kind: 'activation-index', ...block(tokens) } as ActivationIndexTileMeta, payload: { indices: Uint8Array.from({ length: tokens * 13 }, () => rng.int(64)) } });

describe('LUT-PSum operators', () => {
  // Chain latency: BRAM read 2 + fan-out of the row register to 512 lanes 2 stages (16 < 256 < 512
  // <= 4096 loads) + mux 1 + 16 matchers x 1-cycle adders = 21.
  it('2D: INT32 partial sums; II = T x ceil(48 / 512) = T, latency 2 + 2 + 1 + 16 = 21', async () => {
    for (const T of [1, 40]) {
      const [t] = await lastValueFrom(of([indices(T), weights('co-quant', q, T)] as const).pipe(lutPsum2d(), toArray()));
      expect([t!.meta.kind, t!.meta.numeric, t!.payload.kind, t!.iiCycles, t!.latencyCycles]).toEqual(['psum', 'int32', 'int32', T, 21]);
    }
  });

  it('1D (activation-only): FP32 terms per position, each equal to vq.activationOnlyAccumulateTile of that position; II = T x ceil(48 / 128) = T', async () => {
    const aq = buildActivationOnlyLinear(syntheticWeights(M, 26, rng), M, 26, q.actCodebooks, q.cfg);
    const idx = indices(2);
    const [t] = await lastValueFrom(of([idx, weights('activation-only', aq, 2)] as const).pipe(lutPsum1d(), toArray()));
    expect(t!.payload.kind).toBe('fp32-terms');
    const terms = t!.payload.kind === 'fp32-terms' ? t!.payload.terms : new Float32Array();
    const one = new Float32Array(2 * M);
    activationOnlyAccumulateTile(aq, idx.payload.indices, 2, 12, 13, 0, M, one);
    expect(Array.from(terms.subarray(12 * 2 * M))).toEqual(Array.from(one));
    expect(t!.iiCycles).toBe(2);
  });

  it('weight-only: FP32 terms from the real activations; II = T x max(ceil(48 / 128), ceil(16 x 2 / MACs)) per the cycle model', async () => {
    const x = { meta: { kind: 'activation', v: 2, ...block(1) } as ActivationTileMeta, payload: { x: Float32Array.from({ length: 26 }, () => rng.normal()) } };
    const [t] = await lastValueFrom(of([x, weights('weight-only', q, 1)] as const).pipe(weightOnlyPsum(), toArray()));
    const one = new Float32Array(M);
    weightOnlyAccumulateTile(q, x.payload.x, 1, 0, 1, 0, M, one);
    expect(t!.payload.kind === 'fp32-terms' && Array.from(t!.payload.terms.subarray(0, M))).toEqual(Array.from(one));
  });

  it('errors: another variant, mismatched blocks, more positions than matchers', async () => {
    const run = (w: { meta: WeightTileMeta; payload: { layer: typeof q } }) => lastValueFrom(of([indices(1), w] as const).pipe(lutPsum2d()));
    await expect(run(weights('weight-only', q, 1))).rejects.toThrow(/got a 'weight-only' weight tile, this operator computes 'co-quant'/);
    const w = weights('co-quant', q, 1);
    await expect(run({ ...w, meta: { ...w.meta, block: 1 } })).rejects.toThrow(/activation tile of block 0 paired with the weight tile of block 1/);
    await expect(lastValueFrom(of([indices(1), w] as const).pipe(lutPsum2d({ matchers: 8 })))).rejects.toThrow(/block 0 has 13 positions but the chain has 8 matchers/);
  });
});
