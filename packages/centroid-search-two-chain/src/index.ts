import { DEFAULT_BPCSU_PARAMS, centroidSearchActor, centroidSearchPlugin, resolveBpcsuParams, type BpcsuParams, type CentroidSearchStage } from '@lut-llm/centroid-search';
import { registerStage } from '@lut-llm/contracts';

/**
 * Two chains of 32 dPEs per lane and a 1-comparator argmin tree.
 *
 * Generated from the reference BPCSU: the same dPE chains, argmin tree, kernel and cycle model
 * (packages/centroid-search), with this implementation's own default topology. Change the
 * defaults (or the actor and `plugin.cycleModel` for another datapath), derive the cycles you
 * expect by hand in a spec, and keep the conformance suite passing.
 */
export const DEFAULTS: BpcsuParams = Object.freeze({
  ...DEFAULT_BPCSU_PARAMS,
  // dPEs per chain: 32, i.e. 2 chains of 32 and a 1-comparator tree for c_a = 64 (half the
  // reference's chains: a longer fill, one comparator level fewer).
  chainLength: 32,
});

function resolve(params: Partial<BpcsuParams>): BpcsuParams {
  return resolveBpcsuParams({ ...DEFAULTS, ...params });
}

export const stage: CentroidSearchStage = {
  stage: 'centroid-search',
  implementation: "two-chain",
  defaults: DEFAULTS,
  resolve,
  actor: (name, params) => centroidSearchActor(name, resolve(params)),
  install(g, name, params, bindings) {
    g.invoke(centroidSearchActor(name, resolve(params)), bindings);
    return [name];
  },
};

/** The registry entry (importing this package registers it). */
export const plugin = centroidSearchPlugin(stage, "Two chains of 32 dPEs per lane and a 1-comparator argmin tree", "@lut-llm/centroid-search-two-chain");
registerStage(plugin);
