import type { TokenMeta } from '@lut-llm/core';
import { paramsSchemaFromDefaults, registerStage, stageRegistry, type LinearVariant, type PsumTile, type StagePlugin, type WeightTileMeta } from '@lut-llm/contracts';
import {
  Rng,
  activationOnlyAccumulateTile,
  buildActivationOnlyLinear,
  lutAccumulateTile,
  synthesizeQuantizedLinear,
  weightOnlyAccumulateTile,
  type ActivationOnlyLinear,
  type QuantizedLinear,
} from '@lut-llm/vq';
import {
  LutPsumError,
  resolveLutPsum1dParams,
  resolveLutPsum2dParams,
  resolveWeightOnlyDspPsumParams,
  resolveWeightOnlyPsumParams,
} from './params.js';
import { lutPsum1dStage, lutPsum2dStage, weightOnlyDspPsumStage, weightOnlyPsumStage, type LutPsumStage } from './stage.js';

/**
 * A registry entry for a LUT-PSum stage: its actor, table banks (`resources`) and per-tile cost
 * (`cycleModel`) for the conformance suite; `hooks.linear` (the stage: the accelerator installs it
 * with its index register), `hooks.variant` (the weight format it computes on: choosing it fixes
 * the LUTLinear variant, and the accelerator refuses a conflicting `--variant`).
 * `tilesPerBlock` is the op's schedule (the accelerator derives it), not a parameter a spec sets.
 */
export function lutPsumPlugin<P extends { readonly tilesPerBlock: number }>(
  stage: LutPsumStage<P>,
  name: string,
  description: string,
  resolve: (o: Partial<P>) => P,
  packageName = '@lut-llm/lut-psum',
  extraHooks: Readonly<Record<string, unknown>> = {},
): StagePlugin<P> {
  return {
    kind: 'lut-psum',
    name,
    description,
    packageName,
    params: paramsSchemaFromDefaults(stage.defaults, {}, ['tilesPerBlock']),
    resolve,
    actor: (n, p) => stage.actor(n, p),
    resources: (n, p) => stage.resources(n, p),
    cycleModel: (p, firings, instance = 'stage') =>
      firings.map((f) => {
        const w = f['weights'] as WeightTileMeta;
        return stage.firingCost(instance, p, { tokens: w.tokens, width: w.outEnd - w.outStart, loadsTable: w.loadsTable });
      }),
    hooks: { linear: stage, install: stage.install, variant: stage.variant, ...extraHooks },
  };
}

export const LUT_PSUM_PLUGINS = [
  lutPsumPlugin(lutPsum2dStage, 'lut-2d', 'the reference: 2D tables (c_a x c_w pre-computed products per position), co-quantized weights', resolveLutPsum2dParams),
  lutPsumPlugin(lutPsum1dStage, 'lut-1d', '1D tables (c_a entries per position and output, activation-only VQ): FP32 adds instead of INT16 table reads', resolveLutPsum1dParams),
  lutPsumPlugin(weightOnlyDspPsumStage, 'weight-only-dsp', 'weight-only VQ: weights rebuilt from their codebooks and multiplied on DSPs', resolveWeightOnlyDspPsumParams, undefined, { weightOnlyImplementation: 'dsp-dequant' }),
  lutPsumPlugin(weightOnlyPsumStage, 'weight-only-table', 'weight-only VQ: c_w partial dot products built online per token and looked up (T-MAC style)', resolveWeightOnlyPsumParams, undefined, { weightOnlyImplementation: 'online-table' }),
] as const;
for (const p of LUT_PSUM_PLUGINS) registerStage(p as StagePlugin<never>);

/** The LUT-PSum stage named `name` (a shipped one, or one a plugin package registered: its `hooks.linear`). */
export function lutPsumStageOf(name: string): LutPsumStage<{ readonly tilesPerBlock: number }> | undefined {
  if (!stageRegistry.has('lut-psum', name)) return undefined;
  const stage = stageRegistry.get('lut-psum', name).hooks?.['linear'] as LutPsumStage<{ readonly tilesPerBlock: number }> | undefined;
  if (!stage || typeof stage.install !== 'function') throw new LutPsumError(`lut-psum implementation '${name}' registers no hooks.linear (a LutPsumStage: install + resources + firingCost)`);
  return stage;
}

/**
 * Conformance cases for any LUT-PSum implementation of `variant`: two position blocks (13 and 7
 * positions of v = 2), M = 64 outputs in 4 tiles of 16 (G = 32: a table load on every other tile),
 * T = 1 and T = 3, random seeded layers; the act token repeated per tile (as the index register
 * presents it). The reference payloads are vq's tile kernels (lutAccumulateTile: INT32 sums;
 * activationOnlyAccumulateTile / weightOnlyAccumulateTile one position at a time: FP32 terms).
 * `outputLanes: 8` makes each 16-wide tile take two passes.
 */
export function lutPsumConformanceCases(variant: LinearVariant) {
  const M = 64;
  const G = 32;
  const tileWidth = 16;
  const tilesPerBlock = M / tileWidth;
  const blockPositions = [13, 7];
  return [1, 3].map((T) => {
    const rng = new Rng(100 + T);
    const act: { meta: TokenMeta; payload: unknown }[] = [];
    const weights: { meta: WeightTileMeta; payload: unknown }[] = [];
    const out: PsumTile[] = [];
    let posStart = 0;
    blockPositions.forEach((np, b) => {
      const D = 2 * np;
      const base = { op: 'conformance', tokens: T, block: b, blocks: blockPositions.length, posStart, posEnd: posStart + np };
      let layer: QuantizedLinear | ActivationOnlyLinear;
      let actPayload: unknown;
      let actMeta: TokenMeta;
      let psum: (s: number, e: number) => PsumTile;
      if (variant === 'activation-only') {
        const w = new Float32Array(M * D).map(() => rng.normal() / Math.sqrt(D));
        const cb = new Float32Array(np * 64 * 2).map(() => rng.normal());
        const aq = buildActivationOnlyLinear(w, M, D, cb, { groupSize: G });
        const idx = Uint8Array.from({ length: T * np }, () => rng.int(64));
        layer = aq;
        actMeta = { kind: 'activation-index', ...base };
        actPayload = { indices: idx };
        psum = (s, e) => {
          const tw = T * (e - s);
          const terms = new Float32Array(np * tw);
          for (let p = 0; p < np; p++) activationOnlyAccumulateTile(aq, idx, T, p, p + 1, s, e, terms.subarray(p * tw, (p + 1) * tw));
          return { kind: 'fp32-terms', positions: np, terms };
        };
      } else {
        const q = synthesizeQuantizedLinear(M, D, { groupSize: G }, rng);
        layer = q;
        if (variant === 'co-quant') {
          const idx = Uint8Array.from({ length: T * np }, () => rng.int(q.cfg.cA));
          actMeta = { kind: 'activation-index', ...base };
          actPayload = { indices: idx };
          psum = (s, e) => {
            const acc = new Int32Array(T * (e - s));
            lutAccumulateTile(q, idx, T, 0, np, s, e, acc);
            return { kind: 'int32', psum: acc };
          };
        } else {
          const x = new Float32Array(T * D).map(() => rng.normal());
          actMeta = { kind: 'activation', v: 2, ...base };
          actPayload = { x };
          psum = (s, e) => {
            const tw = T * (e - s);
            const terms = new Float32Array(np * tw);
            for (let p = 0; p < np; p++) weightOnlyAccumulateTile(q, x, T, p, p + 1, s, e, terms.subarray(p * tw, (p + 1) * tw));
            return { kind: 'fp32-terms', positions: np, terms };
          };
        }
      }
      for (let j = 0; j < tilesPerBlock; j++) {
        const outStart = j * tileWidth;
        const outEnd = outStart + tileWidth;
        act.push({ meta: actMeta, payload: actPayload });
        const group = Math.floor(outStart / G);
        weights.push({
          meta: { kind: 'weights', variant, ...base, tile: j, tilesPerBlock, outStart, outEnd, group, loadsTable: outStart % G === 0, bytes: 0 },
          payload: { layer },
        });
        out.push(psum(outStart, outEnd));
      }
      posStart += np;
    });
    return {
      label: `${variant}, T = ${T}: 2 blocks (13 + 7 positions) x 4 tiles of 16 outputs, 8 output lanes`,
      params: { outputLanes: 8 },
      inputs: { act, weights },
      expected: { out },
    };
  });
}
