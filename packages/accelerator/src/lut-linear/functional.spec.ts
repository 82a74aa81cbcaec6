import { LINEAR_VARIANTS, type LinearVariant } from '@lut-llm/contracts';
import { describe, expect, it } from 'vitest';
import { lutLinearReference, synthesizeLutLinearData } from './data.js';
import { resolveLutLinearConfig, type LutLinearOptions } from './options.js';
import { runLutLinear } from './run.js';

/** Element-wise bit identity (Object.is: distinguishes -0 and +0, NaN == NaN). */
function expectBitIdentical(got: Float32Array | undefined, want: Float32Array): void {
  expect(got).toBeDefined();
  expect(got!.length).toBe(want.length);
  let first = -1;
  for (let i = 0; i < want.length; i++) {
    if (!Object.is(got![i], want[i])) {
      first = i;
      break;
    }
  }
  expect(first === -1 ? 'identical' : `first difference at ${first}: ${got![first]} vs ${want[first]}`).toBe('identical');
}

function check(opts: LutLinearOptions): void {
  const cfg = resolveLutLinearConfig({ ...opts, mode: 'functional' });
  const data = synthesizeLutLinearData(cfg);
  const r = runLutLinear({ ...opts, mode: 'functional', data });
  expectBitIdentical(r.output, lutLinearReference(cfg.variant, data, cfg.shape.tokens));
}

describe('LUTLinear functional: bit-identical to vq references', () => {
  // Shapes are M x D (out x in). 64x128: 4 blocks of 16 positions, one 64-wide tile;
  // 256x512: 16 blocks, one 256-wide tile.
  for (const variant of LINEAR_VARIANTS) {
    for (const [M, D] of [
      [64, 128],
      [256, 512],
    ] as const) {
      for (const tokens of [1, 5]) {
        it(`${variant} ${M}x${D}, T = ${tokens} (${tokens === 1 ? 'GEMV' : 'GEMM'})`, () => check({ variant, outFeatures: M, inFeatures: D, tokens, seed: M + D + tokens }));
      }
    }
  }

  it('edge tiling: 3 groups of 32 cut into 16-lane tiles, a 4-position last block, INT4 tables, squared L2, c_a = 16', () => {
    for (const variant of LINEAR_VARIANTS) {
      check({
        variant,
        outFeatures: 96,
        inFeatures: 40,
        tokens: 3,
        outputLanes: 16,
        numerics: { groupSize: 32, cA: 16, lutBits: 4, distance: 'l2sq' },
        seed: 7,
      });
    }
  });

  it('co-quant with the naive centroid-search alternates gives the same output', () => {
    for (const implementation of ['single-chain', 'full-tree'] as const) {
      check({ outFeatures: 64, inFeatures: 128, tokens: 2, centroidSearch: { implementation }, seed: 3 });
    }
  });

  it('the check can fail: a different layer gives a different output', () => {
    const opts: LutLinearOptions = { outFeatures: 64, inFeatures: 128, tokens: 1, mode: 'functional' };
    const cfg = resolveLutLinearConfig(opts);
    const data = synthesizeLutLinearData(cfg);
    const other = synthesizeLutLinearData({ ...cfg, seed: cfg.seed + 1 });
    const r = runLutLinear({ ...opts, data: { ...data, layer: other.layer! } });
    const want = lutLinearReference('co-quant' as LinearVariant, data, 1);
    expect(Array.from(r.output!)).not.toEqual(Array.from(want));
  });
});
