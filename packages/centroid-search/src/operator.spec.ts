import type { ActivationTileMeta, CentroidTileMeta } from '@lut-llm/contracts';
import { Rng, encodeActivations, resolveVqConfig } from '@lut-llm/vq';
import { from, of, zip } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { centroidSearch, singleChainStage, type CentroidSearchTile } from './index.js';

const rng = new Rng(8);
const v = 2;
const cA = 64;
const np = 16;
const block = (b: number, tokens: number) => ({ op: 'x', tokens, block: b, blocks: 2, posStart: 16 * b, posEnd: 16 * b + np });
const actTile = (b: number, tokens: number) => ({
  meta: { kind: 'activation', v, ...block(b, tokens) } as ActivationTileMeta,
  payload: { x: Float32Array.from({ length: tokens * np * v }, () => rng.normal()) },
});
const centTile = (b: number, tokens: number) => ({
  meta: { kind: 'centroids', centroids: cA, v, ...block(b, tokens) } as CentroidTileMeta,
  payload: { codebooks: Float32Array.from({ length: np * cA * v }, () => rng.normal()) },
});

/** Subscribes and collects synchronously: the operator must emit before subscribe returns. */
function runSync<T>(o: import('rxjs').Observable<T>): { values: T[]; error: unknown } {
  const values: T[] = [];
  let error: unknown;
  o.subscribe({ next: (x) => values.push(x), error: (e: unknown) => (error = e) });
  return { values, error };
}

describe('centroidSearch operator', () => {
  it("indices equal vq's encodeActivations; synchronous; GEMV cost II max(1, 16) = 16, latency 0 + 16 x 4 + 2 x 1 = 66", () => {
    const acts = [actTile(0, 1), actTile(1, 1)];
    const cents = [centTile(0, 1), centTile(1, 1)];
    const { values, error } = runSync<CentroidSearchTile>(zip(from(acts), from(cents)).pipe(centroidSearch()));
    expect(error).toBeUndefined();
    expect(values.length).toBe(2);
    const cfg = resolveVqConfig({ cA });
    values.forEach((t, b) => {
      expect(Array.from(t.payload.indices)).toEqual(Array.from(encodeActivations(acts[b]!.payload.x, 1, cents[b]!.payload.codebooks, cfg)));
      expect(t.meta).toMatchObject({ kind: 'activation-index', block: b, posStart: 16 * b, posEnd: 16 * b + 16, search: { distance: 'chebyshev', chainLength: 16, centroids: 64, v: 2 } });
      expect([t.iiCycles, t.latencyCycles]).toEqual([16, 66]);
    });
  });

  it('GEMM T = 40: II 40 (the tokens hide the 16-cycle reload); single chain of 64: II max(40, 64) = 64, latency 64 x 4 = 256', () => {
    const input = of([actTile(0, 40), centTile(0, 40)] as const);
    expect(runSync(input.pipe(centroidSearch())).values.map((t) => [t.iiCycles, t.latencyCycles])).toEqual([[40, 66]]);
    expect(runSync(input.pipe(centroidSearch(singleChainStage.resolve({})))).values.map((t) => [t.iiCycles, t.latencyCycles])).toEqual([[64, 256]]);
  });

  it('errors name the block: mismatched blocks, too many positions, another codebook size', () => {
    const a = actTile(0, 1);
    const err = (act: typeof a, cent: ReturnType<typeof centTile>) => String(runSync(of([act, cent] as const).pipe(centroidSearch())).error);
    expect(err(a, centTile(1, 1))).toMatch(/activation tile of block 0 paired with centroids of block 1/);
    expect(err({ ...a, meta: { ...a.meta, posEnd: 17 } }, centTile(0, 1))).toMatch(/block 0 has 17 positions but only 16 BPCSU lanes/);
    const c = centTile(0, 1);
    expect(err(a, { ...c, meta: { ...c.meta, centroids: 32 } })).toMatch(/c_a = 32, v = 2 but the BPCSU is built for c_a = 64, v = 2/);
  });
});
