import type {
  ActivationIndexTile,
  ActivationIndexTileMeta,
  ActivationTile,
  ActivationTileMeta,
  BlockTokenMeta,
  LinearVariant,
  PsumTile,
  PsumTileMeta,
  StageTile,
  TileToken,
  WeightTile,
  WeightTileMeta,
} from '@lut-llm/contracts';
import type { ActivationOnlyLinear, QuantizedLinear } from '@lut-llm/vq';
import { map, type OperatorFunction } from 'rxjs';
import {
  lutPsum1dLatencyCycles,
  lutPsum1dTileCycles,
  lutPsum2dLatencyCycles,
  lutPsum2dTileCycles,
  weightOnlyPsumLatencyCycles,
  weightOnlyPsumTileCycles,
  type PsumTileShape,
} from './cycle-model.js';
import { lutPsum1dTerms, lutPsum2dTile, weightOnlyPsumTerms } from './kernel.js';
import {
  LutPsumError,
  resolveLutPsum1dParams,
  resolveLutPsum2dParams,
  resolveWeightOnlyPsumParams,
  type LutPsum1dParams,
  type LutPsum2dParams,
  type WeightOnlyPsumParams,
} from './params.js';

/** One (block, output tile) for the 2D or 1D stage: the block's activation indices and the tile's weights. */
export type LutPsumInput<L> = readonly [act: TileToken<ActivationIndexTileMeta, ActivationIndexTile>, weights: TileToken<WeightTileMeta, WeightTile<L>>];

/** One (block, output tile) for the weight-only stage: the block's real activations and the tile's weights. */
export type WeightOnlyPsumInput = readonly [act: TileToken<ActivationTileMeta, ActivationTile>, weights: TileToken<WeightTileMeta, WeightTile<QuantizedLinear>>];

/** What the operators emit per (block, output tile): the partial sums and the matcher chain's cost for the tile. */
export type LutPsumTile = StageTile<PsumTileMeta, PsumTile>;

interface Variant<PA, L> {
  readonly name: string;
  readonly variant: LinearVariant;
  readonly numeric: PsumTileMeta['numeric'];
  readonly matchers: number;
  readonly latencyCycles: number;
  readonly tileCycles: (t: PsumTileShape) => number;
  readonly kernel: (act: PA, layer: L, w: WeightTileMeta, tokens: number) => PsumTile;
}

function psumOperator<A extends BlockTokenMeta, PA, L>(s: Variant<PA, L>): OperatorFunction<readonly [TileToken<A, PA>, TileToken<WeightTileMeta, WeightTile<L>>], LutPsumTile> {
  return map(([act, weights]): LutPsumTile => {
    const w = weights.meta;
    if (w.variant !== s.variant) throw new LutPsumError(`${s.name}: got a '${w.variant}' weight tile, this operator computes '${s.variant}'`);
    if (act.meta.block !== w.block) throw new LutPsumError(`${s.name}: activation tile of block ${act.meta.block} paired with the weight tile of block ${w.block} (tile ${w.tile})`);
    const np = w.posEnd - w.posStart;
    if (np > s.matchers) throw new LutPsumError(`${s.name}: block ${w.block} has ${np} positions but the chain has ${s.matchers} matchers`);
    const tokens = act.meta.tokens;
    const meta: PsumTileMeta = {
      kind: 'psum', numeric: s.numeric, op: w.op, tokens, block: w.block, blocks: w.blocks, posStart: w.posStart, posEnd: w.posEnd,
      tile: w.tile, tilesPerBlock: w.tilesPerBlock, outStart: w.outStart, outEnd: w.outEnd,
    };
    const iiCycles = s.tileCycles({ tokens, width: w.outEnd - w.outStart, loadsTable: w.loadsTable });
    return { meta, payload: s.kernel(act.payload, weights.payload.layer, w, tokens), iiCycles, latencyCycles: s.latencyCycles };
  });
}

/**
 * The reference 2D-table LUT-PSum stage (co-quantization) as an RxJS operator over
 * (block, output tile) pairs: for each [activation-index tile, weight tile] it runs the matcher
 * chain's kernel (`lutPsum2dTile`: INT32 partial sums [T][w] over the block's positions) and emits
 * them with the cycle model's cost, `iiCycles = lutPsum2dTileCycles(p, tile)` (T x ceil(w / 512))
 * and `latencyCycles = lutPsum2dLatencyCycles(p)`: what the engine actor charges for the tile.
 * Table-bank port accesses are not modelled here (contention is the engine's business).
 * Synchronous, one element out per element in; errors (`LutPsumError`) go to `error`.
 *
 * The index tile arrives once per block and serves every output tile of it (the index register of
 * the hardware): pair it with each weight tile, e.g.
 * ```ts
 * indices$.pipe(concatMap((idx) => weightTilesOf(idx.meta.block).map((w) => [idx, w] as const)), lutPsum2d())
 * ```
 */
export function lutPsum2d(params: Partial<LutPsum2dParams> = {}): OperatorFunction<LutPsumInput<QuantizedLinear>, LutPsumTile> {
  const p = resolveLutPsum2dParams(params);
  return psumOperator<ActivationIndexTileMeta, ActivationIndexTile, QuantizedLinear>({
    name: 'lutPsum2d', variant: 'co-quant', numeric: 'int32', matchers: p.matchers,
    latencyCycles: lutPsum2dLatencyCycles(p),
    tileCycles: (t) => lutPsum2dTileCycles(p, t),
    kernel: (act, layer, w, tokens) => ({ kind: 'int32', psum: lutPsum2dTile(layer, act.indices, tokens, w.outStart, w.outEnd) }),
  });
}

/** The 1D-table alternate (activation-only VQ) as an operator: FP32 terms per position; cost `lutPsum1dTileCycles` / `lutPsum1dLatencyCycles`. */
export function lutPsum1d(params: Partial<LutPsum1dParams> = {}): OperatorFunction<LutPsumInput<ActivationOnlyLinear>, LutPsumTile> {
  const p = resolveLutPsum1dParams(params);
  return psumOperator<ActivationIndexTileMeta, ActivationIndexTile, ActivationOnlyLinear>({
    name: 'lutPsum1d', variant: 'activation-only', numeric: 'fp32-terms', matchers: p.matchers,
    latencyCycles: lutPsum1dLatencyCycles(p),
    tileCycles: (t) => lutPsum1dTileCycles(p, t),
    kernel: (act, layer, w, tokens) => ({ kind: 'fp32-terms', positions: w.posEnd - w.posStart, terms: lutPsum1dTerms(layer, act.indices, tokens, w.outStart, w.outEnd) }),
  });
}

/** The weight-only alternate (online tables from real activations) as an operator; cost `weightOnlyPsumTileCycles` / `weightOnlyPsumLatencyCycles`. */
export function weightOnlyPsum(params: Partial<WeightOnlyPsumParams> = {}): OperatorFunction<WeightOnlyPsumInput, LutPsumTile> {
  const p = resolveWeightOnlyPsumParams(params);
  return psumOperator<ActivationTileMeta, ActivationTile, QuantizedLinear>({
    name: 'weightOnlyPsum', variant: 'weight-only', numeric: 'fp32-terms', matchers: p.matchers,
    latencyCycles: weightOnlyPsumLatencyCycles(p),
    tileCycles: (t) => weightOnlyPsumTileCycles(p, t),
    kernel: (act, layer, w, tokens) => ({ kind: 'fp32-terms', positions: w.posEnd - w.posStart, terms: weightOnlyPsumTerms(layer, act.x, tokens, w.outStart, w.outEnd) }),
  });
}
