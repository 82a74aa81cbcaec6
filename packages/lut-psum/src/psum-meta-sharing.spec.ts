import { type ActivationIndexTileMeta, type PsumTileMeta, type WeightTileMeta } from '@lut-llm/contracts';
import type { Firing, TokenMeta } from '@lut-llm/core';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LUT_PSUM_2D_PARAMS, DEFAULT_LUT_PSUM_1D_PARAMS } from './params.js';
import { lutPsum1dStage, lutPsum2dStage } from './stage.js';

const block = { op: 'demo', block: 1, blocks: 2, posStart: 16, posEnd: 32 };
const act = (tokens: number): ActivationIndexTileMeta => ({ kind: 'activation-index', tokens, ...block });
const weights = (variant: WeightTileMeta['variant']): WeightTileMeta => ({
  kind: 'weights', variant, tokens: 1, ...block, tile: 3, tilesPerBlock: 4, outStart: 1536, outEnd: 2048, group: 3, loadsTable: true, bytes: 5000,
});

/** Fires an actor's cost then emit on one (activation, weights) pair, as the engine does; returns what it wrote. */
function fire(spec: ReturnType<typeof lutPsum2dStage.actor>, a: TokenMeta, w: TokenMeta): PsumTileMeta {
  const f = { actor: spec.name, index: 0, cycle: 0, in: [a, w], inputs: {} } as unknown as Firing;
  if (typeof spec.cost === 'function') spec.cost(f);
  const out: (TokenMeta | undefined)[] = [undefined];
  spec.emit!(f, out);
  return out[0] as PsumTileMeta;
}

describe('partial-sum metadata is shared per weight-tile metadata object', () => {
  it('two PSum actors (two layers) given the same weight-tile object write the same partial-sum object, with the fields of that tile', () => {
    const w = weights('co-quant');
    const p0 = fire(lutPsum2dStage.actor('L0.psum', { ...DEFAULT_LUT_PSUM_2D_PARAMS, tilesPerBlock: 4 }), act(1), w);
    const p1 = fire(lutPsum2dStage.actor('L1.psum', { ...DEFAULT_LUT_PSUM_2D_PARAMS, tilesPerBlock: 4 }), act(1), w);
    expect(p1).toBe(p0);
    expect(p0).toEqual({ kind: 'psum', numeric: 'int32', op: 'demo', tokens: 1, block: 1, blocks: 2, posStart: 16, posEnd: 32, tile: 3, tilesPerBlock: 4, outStart: 1536, outEnd: 2048 });
  });

  it('an equal but distinct weight-tile object, or another token count, gets its own partial sums', () => {
    const spec = lutPsum2dStage.actor('L0.psum', { ...DEFAULT_LUT_PSUM_2D_PARAMS, tilesPerBlock: 4 });
    const w = weights('co-quant');
    const p = fire(spec, act(1), w);
    expect(fire(spec, act(1), weights('co-quant'))).not.toBe(p);
    const p8 = fire(spec, act(8), w);
    expect(p8).not.toBe(p);
    expect(p8.tokens).toBe(8);
    expect(fire(spec, act(8), w)).toBe(p8);
  });

  it('each stage writes its own numeric (a weight tile of its variant)', () => {
    const q = fire(lutPsum1dStage.actor('L0.psum1d', { ...DEFAULT_LUT_PSUM_1D_PARAMS, tilesPerBlock: 4 }), act(1), weights('activation-only'));
    expect([q.numeric, q.tokens, q.tile]).toEqual(['fp32-terms', 1, 3]);
  });
});
