import type { ActivationIndexTile, ActivationIndexTileMeta, ActivationTile, ActivationTileMeta, CentroidTile, CentroidTileMeta, StageTile, TileToken } from '@lut-llm/contracts';
import { map, type OperatorFunction } from 'rxjs';
import { bpcsuBlockCycles, bpcsuLatencyCycles } from './cycle-model.js';
import { bpcsuSearch } from './kernel.js';
import { CentroidSearchError, resolveBpcsuParams, type BpcsuParams } from './params.js';

/** One block for the search: its activation tile and its centroid tile (e.g. from `zip(act$, centroids$)`). */
export type CentroidSearchInput = readonly [act: TileToken<ActivationTileMeta, ActivationTile>, centroids: TileToken<CentroidTileMeta, CentroidTile>];

/** What the operator emits per block: the block's activation indices and the BPCSU's cost for it. */
export type CentroidSearchTile = StageTile<ActivationIndexTileMeta, ActivationIndexTile>;

/**
 * The centroid-search stage as an RxJS operator over blocks: for each [activation tile, centroid
 * tile] pair it runs the BPCSU kernel (`bpcsuSearch`) and emits the block's indices with the
 * cycle model's cost, `iiCycles = bpcsuBlockCycles(p, T)` and `latencyCycles = bpcsuLatencyCycles(p)`:
 * the cost the engine actor charges for the same block. Synchronous, one element out per element in.
 *
 * `params` are resolved with `resolveBpcsuParams` (the reference 4 x 16 chains by default; pass
 * `singleChainStage.resolve({})` or `fullTreeStage.resolve({})` for the naive alternates).
 * Errors (a `CentroidSearchError` naming the block) go to the subscriber's `error`.
 *
 * ## Example
 * ```ts
 * zip(act$, centroids$).pipe(centroidSearch()).subscribe(({ meta, payload, iiCycles }) => ...);
 * // GEMV (T = 1), defaults: iiCycles = max(1, 16) = 16, latencyCycles = 66 per block
 * ```
 */
export function centroidSearch(params: Partial<BpcsuParams> = {}): OperatorFunction<CentroidSearchInput, CentroidSearchTile> {
  const p = resolveBpcsuParams(params);
  const latencyCycles = bpcsuLatencyCycles(p);
  const cfg = { centroids: p.centroids, subvectorLength: p.subvectorLength, chainLength: p.chainLength, distance: p.distance };
  const search = { distance: p.distance, chainLength: p.chainLength, centroids: p.centroids, v: p.subvectorLength } as const;
  return map(([act, cent]): CentroidSearchTile => {
    const a = act.meta;
    if (a.block !== cent.meta.block) throw new CentroidSearchError(`centroidSearch: activation tile of block ${a.block} paired with centroids of block ${cent.meta.block}`);
    const np = a.posEnd - a.posStart;
    if (np > p.lanes) throw new CentroidSearchError(`centroidSearch: block ${a.block} has ${np} positions but only ${p.lanes} BPCSU lanes`);
    if (cent.meta.centroids !== p.centroids || a.v !== p.subvectorLength) {
      throw new CentroidSearchError(`centroidSearch: block ${a.block} has c_a = ${cent.meta.centroids}, v = ${a.v} but the BPCSU is built for c_a = ${p.centroids}, v = ${p.subvectorLength}`);
    }
    const meta: ActivationIndexTileMeta = { kind: 'activation-index', op: a.op, tokens: a.tokens, block: a.block, blocks: a.blocks, posStart: a.posStart, posEnd: a.posEnd, search };
    const indices = bpcsuSearch(act.payload.x, a.tokens, cent.payload.codebooks, cfg);
    return { meta, payload: { indices }, iiCycles: bpcsuBlockCycles(p, a.tokens), latencyCycles };
  });
}
