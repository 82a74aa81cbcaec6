import { LINEAR_STREAM_WIDTH_BYTES } from '@lut-llm/contracts';
import type {
  ActivationIndexTileMeta,
  ActivationTileMeta,
  CentroidTileMeta,
  LinearStageImplementation,
} from '@lut-llm/contracts';
import type { ActorSpec } from '@lut-llm/core';
import { bpcsuBlockCycles, bpcsuLatencyCycles } from './cycle-model.js';
import { centroidSearchKernel } from './kernel.js';
import { CentroidSearchError, DEFAULT_BPCSU_PARAMS, resolveBpcsuParams, type BpcsuParams } from './params.js';

/**
 * Ports of the centroid-search actor (all LINEAR_STREAM_WIDTH_BYTES wide):
 * - `act`: ActivationTileMeta / ActivationTile, one per block;
 * - `centroids`: CentroidTileMeta / CentroidTile, one per block;
 * - `out`: ActivationIndexTileMeta / ActivationIndexTile, one per block.
 */
// Port indices (declaration order of `inputs` / `outputs` in centroidSearchActor).
const ACT = 0;
const CENTROIDS = 1;
const OUT = 0;

/** The centroid-search actor for parameters `p` (already resolved). */
export function centroidSearchActor(name: string, p: BpcsuParams): ActorSpec {
  const w = LINEAR_STREAM_WIDTH_BYTES;
  const latency = bpcsuLatencyCycles(p);
  // Reused from firing to firing (the engine keeps no reference); so is the search description.
  const cost = { iiCycles: 1, latencyCycles: latency };
  const search = { distance: p.distance, chainLength: p.chainLength, centroids: p.centroids, v: p.subvectorLength };
  return {
    name,
    inputs: { act: { widthBytes: w }, centroids: { widthBytes: w } },
    outputs: { out: { widthBytes: w } },
    cost: (f) => {
      const act = f.in[ACT] as ActivationTileMeta;
      const cent = f.in[CENTROIDS] as CentroidTileMeta;
      if (act.block !== cent.block) {
        throw new CentroidSearchError(`${f.actor}: activation tile of block ${act.block} paired with centroids of block ${cent.block}`);
      }
      const np = act.posEnd - act.posStart;
      if (np > p.lanes) throw new CentroidSearchError(`${name}: block ${act.block} has ${np} positions but only ${p.lanes} BPCSU lanes`);
      if (cent.centroids !== p.centroids || act.v !== p.subvectorLength) {
        throw new CentroidSearchError(
          `${name}: tiles have c_a = ${cent.centroids}, v = ${act.v} but the BPCSU is built for c_a = ${p.centroids}, v = ${p.subvectorLength}`,
        );
      }
      cost.iiCycles = bpcsuBlockCycles(p, act.tokens);
      return cost;
    },
    // Called after `cost`, which checked the pair.
    emit: (f, out) => {
      const act = f.in[ACT] as ActivationTileMeta;
      const idx: ActivationIndexTileMeta = {
        kind: 'activation-index',
        op: act.op,
        tokens: act.tokens,
        block: act.block,
        blocks: act.blocks,
        posStart: act.posStart,
        posEnd: act.posEnd,
        search,
      };
      out[OUT] = idx;
    },
    kernel: centroidSearchKernel,
  };
}

/** A centroid-search implementation; `resolve` fills defaults and applies its topology. */
export interface CentroidSearchStage extends LinearStageImplementation<BpcsuParams> {
  resolve(params: Partial<BpcsuParams>): BpcsuParams;
}

function implementation(implementationName: string, defaults: BpcsuParams, topology: (centroids: number) => Partial<BpcsuParams>): CentroidSearchStage {
  const resolve = (params: Partial<BpcsuParams>) => resolveBpcsuParams({ ...params, ...topology(params.centroids ?? defaults.centroids) });
  return {
    stage: 'centroid-search',
    implementation: implementationName,
    defaults,
    resolve,
    actor: (name, params) => centroidSearchActor(name, resolve(params)),
    install(g, name, params, bindings) {
      g.invoke(centroidSearchActor(name, resolve(params)), bindings);
      return [name];
    },
  };
}

/** The reference BPCSU: 4 chains of 16 dPEs and a 2-level argmin tree per lane. */
export const bpcsuStage = implementation('bpcsu', DEFAULT_BPCSU_PARAMS, () => ({}));

/** Naive alternate: one chain of all c_a dPEs per lane (no tree): long fill latency and reload. */
export const singleChainStage = implementation('single-chain', Object.freeze({ ...DEFAULT_BPCSU_PARAMS, chainLength: DEFAULT_BPCSU_PARAMS.centroids }), (centroids) => ({
  chainLength: centroids,
}));

/** Naive alternate: c_a parallel dPEs and a full (c_a - 1)-comparator reduction tree per lane. */
export const fullTreeStage = implementation('full-tree', Object.freeze({ ...DEFAULT_BPCSU_PARAMS, chainLength: 1 }), () => ({ chainLength: 1 }));

/** The implementations by name, for selection by configuration. */
export const CENTROID_SEARCH_IMPLEMENTATIONS: Readonly<Record<'bpcsu' | 'single-chain' | 'full-tree', CentroidSearchStage>> = Object.freeze({
  bpcsu: bpcsuStage,
  'single-chain': singleChainStage,
  'full-tree': fullTreeStage,
});
/** A shipped implementation's name, or one registered by a plugin package (`centroidSearchStageOf`). */
export type CentroidSearchImplementation = keyof typeof CENTROID_SEARCH_IMPLEMENTATIONS | (string & {});
