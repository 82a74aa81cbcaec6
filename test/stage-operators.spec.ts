// The LUTLinear stages as RxJS operators (issue 16 item 5b): tiles piped through
// centroidSearch -> lutPsum2d -> accumulate -> dequantize give outputs bit-identical to the
// accelerator's functional LUTLinear run of the same op, and every tile's cycles are the stage's
// cycle model (derived by hand for the default configuration below).
import {
  blockPositionRange,
  type ActivationTile,
  type ActivationTileMeta,
  type CentroidTile,
  type CentroidTileMeta,
  type ScaleTile,
  type ScaleTileMeta,
  type TileToken,
  type WeightTile,
  type WeightTileMeta,
} from '@lut-llm/contracts';
import { planOf, quantizedLinearBlock, resolveLutLinearConfig, runLutLinear, synthesizeLutLinearData, type LutLinearOptions } from '@lut-llm/accelerator';
import { accumulate, accumulatorLatencyCycles, accumulatorTileCycles } from '@lut-llm/accumulator';
import { bpcsuBlockCycles, bpcsuLatencyCycles, centroidSearch } from '@lut-llm/centroid-search';
import { dequantize, dequantizerLatencyCycles, dequantizerTileCycles } from '@lut-llm/dequantizer';
import { lutPsum2d, lutPsum2dLatencyCycles, lutPsum2dTileCycles } from '@lut-llm/lut-psum';
import type { QuantizedLinear } from '@lut-llm/vq';
import { concatMap, filter, from, tap, toArray, zip, lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';

interface Costs {
  search: number[][];
  psum: number[][];
  acc: number[][];
  deq: number[][];
}

/** Builds the op's tiles the way the accelerator's loaders do, pipes them through the four operators. */
async function viaOperators(opts: LutLinearOptions) {
  const cfg = resolveLutLinearConfig({ ...opts, mode: 'functional' });
  const data = synthesizeLutLinearData(cfg);
  const layer = data.layer!;
  const plan = planOf(cfg);
  const { tokens: T, inFeatures: D } = cfg.shape;
  const v = cfg.numerics.v;
  const cA = cfg.numerics.cA;
  const blocks = Array.from({ length: plan.blocks }, (_, b) => b);
  const tiles = Array.from({ length: plan.tilesPerBlock }, (_, j) => j);
  const base = (b: number) => ({ op: cfg.op, tokens: T, block: b, blocks: plan.blocks, ...blockPositionRange(plan, b) });
  const tileBase = (j: number) => ({ tile: j, tilesPerBlock: plan.tilesPerBlock, outStart: plan.tileOutStart[j]!, outEnd: plan.tileOutEnd[j]! });

  const act = (b: number): TileToken<ActivationTileMeta, ActivationTile> => {
    const { posStart, posEnd } = blockPositionRange(plan, b);
    const w = (posEnd - posStart) * v;
    const x = new Float32Array(T * w);
    for (let t = 0; t < T; t++) x.set(data.x.subarray(t * D + posStart * v, t * D + posEnd * v), t * w);
    return { meta: { kind: 'activation', v, ...base(b) }, payload: { x } };
  };
  const cent = (b: number): TileToken<CentroidTileMeta, CentroidTile> => {
    const { posStart, posEnd } = blockPositionRange(plan, b);
    return { meta: { kind: 'centroids', centroids: cA, v, ...base(b) }, payload: { codebooks: layer.actCodebooks.subarray(posStart * cA * v, posEnd * cA * v) } };
  };
  const weights = (b: number, j: number): TileToken<WeightTileMeta, WeightTile<QuantizedLinear>> => {
    const { posStart, posEnd } = blockPositionRange(plan, b);
    const meta: WeightTileMeta = { kind: 'weights', variant: 'co-quant', ...base(b), ...tileBase(j), group: plan.tileGroup[j]!, loadsTable: plan.tileLoadsTable[j] === 1, bytes: 0 };
    return { meta, payload: { layer: quantizedLinearBlock(layer, posStart, posEnd) } };
  };
  const scales = (j: number): TileToken<ScaleTileMeta, ScaleTile<QuantizedLinear>> => ({
    meta: { kind: 'scales', op: cfg.op, tokens: T, group: plan.tileGroup[j]!, ...tileBase(j) },
    payload: { layer },
  });

  const costs: Costs = { search: [], psum: [], acc: [], deq: [] };
  const accumulated$ = zip(from(blocks.map(act)), from(blocks.map(cent))).pipe(
    centroidSearch(cfg.centroidSearch),
    tap((t) => costs.search.push([t.iiCycles, t.latencyCycles])),
    concatMap((idx) => tiles.map((j) => [idx, weights(idx.meta.block, j)] as const)),
    lutPsum2d(cfg.lutPsum2d),
    tap((t) => costs.psum.push([t.iiCycles, t.latencyCycles])),
    accumulate({ ...cfg.accumulator, blocks: plan.blocks, tilesPerBlock: plan.tilesPerBlock }),
    tap((t) => costs.acc.push([t.iiCycles, t.latencyCycles])),
    filter((t) => t.final),
  );
  const out = await lastValueFrom(
    zip(accumulated$, from(tiles.map(scales))).pipe(
      dequantize(cfg.dequantizer),
      tap((t) => costs.deq.push([t.iiCycles, t.latencyCycles])),
      toArray(),
    ),
  );
  const M = cfg.shape.outFeatures;
  const y = new Float32Array(T * M);
  for (const { meta, payload } of out) {
    const w = meta.outEnd - meta.outStart;
    for (let t = 0; t < T; t++) y.set(payload.y.subarray(t * w, (t + 1) * w), t * M + meta.outStart);
  }
  const engine = runLutLinear({ ...opts, mode: 'functional', data });
  return { cfg, plan, y, engine: engine.output!, costs, outTiles: out.length };
}

/** Index of the first element where two arrays differ bitwise (Object.is), or 'identical'. */
function firstDifference(got: Float32Array, want: Float32Array): string {
  if (got.length !== want.length) return `lengths ${got.length} vs ${want.length}`;
  for (let i = 0; i < want.length; i++) if (!Object.is(got[i], want[i])) return `first difference at ${i}: ${got[i]} vs ${want[i]}`;
  return 'identical';
}

describe('LUTLinear stage operators vs the engine functional run', () => {
  it('default configuration, 1024 x 512, GEMV: bit-identical; cycles per tile derived by hand', async () => {
    const r = await viaOperators({ outFeatures: 1024, inFeatures: 512, tokens: 1, seed: 5 });
    expect(firstDifference(r.y, r.engine)).toBe('identical');
    // 512 inputs / v 2 = 256 positions = 16 blocks of 16 lanes; 1024 outputs = 2 groups of 512 =
    // 2 tiles of 512 (512 matcher lanes) per block.
    expect([r.plan.blocks, r.plan.tilesPerBlock, r.outTiles]).toEqual([16, 2, 2]);
    // BPCSU (4 chains of 16, Chebyshev dPE latency 4 = FP32 sub 3 + compare-select 1, 1-cycle
    // comparators, double-buffered centroids): II = max(T = 1, reload 16) = 16; latency =
    // fanout 0 (4 chain heads <= 16) + 16 x 4 + ceil(log2 4) x 1 = 66.
    expect(r.costs.search).toEqual(Array(16).fill([16, 66]));
    // 2D matcher chain: II = T x ceil(512 / 512) = 1 per tile.
    expect(r.costs.psum.map(([ii]) => ii)).toEqual(Array(32).fill(1));
    // Accumulator: II = T x ceil(512 / 512 lanes) = 1; latency = URAM read 3 + ceil(log2(1 + 1)) x 1 = 4.
    expect(r.costs.acc).toEqual(Array(32).fill([1, 4]));
    // Dequantizer: II = T x ceil(512 / 32 lanes) = 16; latency = subtract 1 + convert 3 + multiply 3 = 7.
    expect(r.costs.deq).toEqual([
      [16, 7],
      [16, 7],
    ]);
  });

  it('edge tiling (3 groups of 32 in 16-lane tiles, a 4-position last block, INT4 tables, squared L2, c_a = 16), GEMM T = 3: bit-identical, cycles = the cost models', async () => {
    const opts: LutLinearOptions = { outFeatures: 96, inFeatures: 40, tokens: 3, outputLanes: 16, numerics: { groupSize: 32, cA: 16, lutBits: 4, distance: 'l2sq' }, seed: 7 };
    const r = await viaOperators(opts);
    expect(firstDifference(r.y, r.engine)).toBe('identical');
    const { cfg, plan } = r;
    expect([plan.blocks, plan.tilesPerBlock]).toEqual([2, 6]);
    expect(r.costs.search).toEqual(Array(2).fill([bpcsuBlockCycles(cfg.centroidSearch, 3), bpcsuLatencyCycles(cfg.centroidSearch)]));
    const w = 16;
    expect(r.costs.psum).toEqual(
      Array.from({ length: 12 }, (_, i) => [lutPsum2dTileCycles(cfg.lutPsum2d, { tokens: 3, width: w, loadsTable: plan.tileLoadsTable[i % 6] === 1 }), lutPsum2dLatencyCycles(cfg.lutPsum2d)]),
    );
    expect(r.costs.psum[0]![0]).toBe(3); // T x ceil(16 / 16)
    expect(r.costs.acc).toEqual(Array(12).fill([accumulatorTileCycles(cfg.accumulator, 3, w), accumulatorLatencyCycles(cfg.accumulator)]));
    expect(r.costs.deq).toEqual(Array(6).fill([dequantizerTileCycles(cfg.dequantizer, 3, w), dequantizerLatencyCycles(cfg.dequantizer)]));
    expect(r.costs.deq[0]).toEqual([3 * 1, 7]); // T x ceil(16 / 32), 1 + 3 + 3
  });

  it('the comparison can fail: the engine run of another layer differs', async () => {
    const opts: LutLinearOptions = { outFeatures: 64, inFeatures: 128, tokens: 1, seed: 3 };
    const r = await viaOperators(opts);
    const other = runLutLinear({ ...opts, mode: 'functional', seed: 4 });
    expect(firstDifference(r.y, r.engine)).toBe('identical');
    expect(firstDifference(r.y, other.output!)).not.toBe('identical');
  });
});
