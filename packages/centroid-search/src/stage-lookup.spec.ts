import { registerStage } from '@lut-llm/contracts';
import { describe, expect, it } from 'vitest';
import { bpcsuPlugin, bpcsuStage, centroidSearchPlugin, centroidSearchStageOf, fullTreeStage, singleChainStage, type CentroidSearchStage } from './index.js';

// centroidSearchStageOf: how the accelerator finds a centroid-search stage by name, the shipped
// ones and those a plugin package registered (its hooks.linear must be a CentroidSearchStage).
describe('centroidSearchStageOf', () => {
  it('returns the shipped stage objects by name', () => {
    expect(centroidSearchStageOf('bpcsu')).toBe(bpcsuStage);
    expect(centroidSearchStageOf('single-chain')).toBe(singleChainStage);
    expect(centroidSearchStageOf('full-tree')).toBe(fullTreeStage);
  });

  it('returns undefined for a name nobody registered', () => {
    expect(centroidSearchStageOf('no-such-search')).toBeUndefined();
  });

  it("returns a plugin package's stage, registered under its own name", () => {
    const custom: CentroidSearchStage = { ...bpcsuStage, implementation: 'lookup-spec-custom' };
    registerStage(centroidSearchPlugin(custom, 'a copy of the BPCSU under another name', 'lookup-spec-pkg'));
    expect(centroidSearchStageOf('lookup-spec-custom')).toBe(custom);
  });

  it('rejects a registered implementation whose hooks.linear is missing or lacks resolve / install, naming it', () => {
    const base = { ...bpcsuPlugin, packageName: 'lookup-spec-pkg' };
    const noop = () => undefined;
    registerStage({ ...base, name: 'lookup-spec-no-hooks', hooks: undefined });
    registerStage({ ...base, name: 'lookup-spec-no-linear', hooks: {} });
    registerStage({ ...base, name: 'lookup-spec-no-install', hooks: { linear: { resolve: noop, install: 42 } } });
    registerStage({ ...base, name: 'lookup-spec-no-resolve', hooks: { linear: { resolve: 'x', install: noop } } });
    for (const name of ['lookup-spec-no-hooks', 'lookup-spec-no-linear', 'lookup-spec-no-install', 'lookup-spec-no-resolve']) {
      expect(() => centroidSearchStageOf(name)).toThrow(`centroid-search implementation '${name}' registers no hooks.linear (a CentroidSearchStage: resolve + install)`);
    }
  });
});
