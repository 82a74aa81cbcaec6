import { paramsSchemaFromDefaults, registerStage, stageRegistry, type ActivationIndexTile, type ActivationTileMeta, type CentroidTileMeta, type StagePlugin } from '@lut-llm/contracts';
import { Rng, encodeActivations, type VqConfig } from '@lut-llm/vq';
import { bpcsuBlockCycles, bpcsuLatencyCycles } from './cycle-model.js';
import { CentroidSearchError, DEFAULT_BPCSU_PARAMS, type BpcsuParams } from './params.js';
import { bpcsuStage, fullTreeStage, singleChainStage, type CentroidSearchStage } from './stage.js';

/** The parameters a graph spec may set on a centroid-search implementation. */
export const centroidSearchParamsSchema = paramsSchemaFromDefaults(DEFAULT_BPCSU_PARAMS, { distance: ['chebyshev', 'l2sq'] });

/**
 * The centroid-search cost model every implementation here charges (packages/centroid-search
 * cycle-model.ts): one firing per block, II = bpcsuBlockCycles(p, T), latency = bpcsuLatencyCycles(p).
 */
export function centroidSearchCycleModel(p: BpcsuParams, firings: readonly Readonly<Record<string, unknown>>[]) {
  const latencyCycles = bpcsuLatencyCycles(p);
  return firings.map((f) => ({ iiCycles: bpcsuBlockCycles(p, (f['act'] as ActivationTileMeta).tokens), latencyCycles }));
}

/** A registry entry for a `CentroidSearchStage` (the accelerator installs it through `hooks.linear`). */
export function centroidSearchPlugin(stage: CentroidSearchStage, description: string, packageName = '@lut-llm/centroid-search'): StagePlugin<BpcsuParams> {
  return {
    kind: 'centroid-search',
    name: stage.implementation,
    description,
    packageName,
    params: centroidSearchParamsSchema,
    resolve: (o) => stage.resolve(o),
    actor: (name, p) => stage.actor(name, p),
    cycleModel: centroidSearchCycleModel,
    hooks: { linear: stage },
  };
}

export const bpcsuPlugin = centroidSearchPlugin(bpcsuStage, 'the reference BPCSU: 4 chains of 16 dPEs per lane and a 3-comparator argmin tree');
export const singleChainPlugin = centroidSearchPlugin(singleChainStage, 'one chain of all c_a dPEs per lane: II c_a, long fill latency');
export const fullTreePlugin = centroidSearchPlugin(fullTreeStage, 'exhaustive: c_a parallel dPEs and a full (c_a - 1)-comparator argmin tree per lane (63 for c_a = 64)');
for (const p of [bpcsuPlugin, singleChainPlugin, fullTreePlugin]) registerStage(p);

/** The centroid-search stage named `name`: a shipped one, or one a plugin package registered (its `hooks.linear`). */
export function centroidSearchStageOf(name: string): CentroidSearchStage | undefined {
  if (!stageRegistry.has('centroid-search', name)) return undefined;
  const stage = stageRegistry.get('centroid-search', name).hooks?.['linear'] as CentroidSearchStage | undefined;
  if (!stage || typeof stage.install !== 'function' || typeof stage.resolve !== 'function') {
    throw new CentroidSearchError(`centroid-search implementation '${name}' registers no hooks.linear (a CentroidSearchStage: resolve + install)`);
  }
  return stage;
}

/**
 * Conformance cases for any centroid-search implementation: `blocks` blocks of `lanes` positions,
 * T tokens, random activations and codebooks (seeded); the reference indices are vq's
 * `encodeActivations` (exact nearest centroid, first minimum on ties).
 */
export function centroidSearchConformanceCases(params: Partial<BpcsuParams> = {}) {
  const p = { ...DEFAULT_BPCSU_PARAMS, ...params };
  const lanes = params.lanes ?? 4;
  return [
    { T: 1, blocks: 3, label: 'GEMV, 3 blocks' },
    { T: 5, blocks: 2, label: 'GEMM T = 5, 2 blocks (the last one partial)' },
  ].map(({ T, blocks, label }) => {
    const rng = new Rng(7 + T);
    const v = p.subvectorLength;
    const cA = p.centroids;
    const positions = blocks * lanes - (T > 1 ? 1 : 0);
    const x = new Float32Array(T * positions * v).map(() => rng.normal());
    const codebooks = new Float32Array(positions * cA * v).map(() => rng.normal());
    const want = encodeActivations(x, T, codebooks, { v: v as VqConfig['v'], cA, distance: p.distance });
    const act: { meta: ActivationTileMeta; payload: unknown }[] = [];
    const cent: { meta: CentroidTileMeta; payload: unknown }[] = [];
    const out: ActivationIndexTile[] = [];
    for (let b = 0; b < blocks; b++) {
      const posStart = b * lanes;
      const posEnd = Math.min(positions, posStart + lanes);
      const np = posEnd - posStart;
      const base = { op: 'conformance', tokens: T, block: b, blocks, posStart, posEnd };
      const xb = new Float32Array(T * np * v);
      const idx = new Uint8Array(T * np);
      for (let t = 0; t < T; t++) {
        xb.set(x.subarray((t * positions + posStart) * v, (t * positions + posEnd) * v), t * np * v);
        idx.set(want.subarray(t * positions + posStart, t * positions + posEnd), t * np);
      }
      act.push({ meta: { kind: 'activation', v, ...base }, payload: { x: xb } });
      cent.push({ meta: { kind: 'centroids', centroids: cA, v, ...base }, payload: { codebooks: codebooks.slice(posStart * cA * v, posEnd * cA * v) } });
      out.push({ indices: idx });
    }
    return { label, params: { ...params, lanes }, inputs: { act, centroids: cent }, expected: { out } };
  });
}
