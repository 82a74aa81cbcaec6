import { LINEAR_STREAM_WIDTH_BYTES } from '@lut-llm/contracts';
import type { BlockTokenMeta, LinearStageImplementation, LinearVariant, PsumTileMeta, WeightTileMeta } from '@lut-llm/contracts';
import type { ActorSpec, Bindings, FiringCost, GraphBuilder, Kernel, ResourceRequest, ResourceSpec } from '@lut-llm/core';
import {
  lutPsum1dLatencyCycles,
  lutPsum1dPortAccesses,
  lutPsum1dResources,
  lutPsum1dTileCycles,
  lutPsum2dLatencyCycles,
  lutPsum2dPortAccesses,
  lutPsum2dResources,
  lutPsum2dTileCycles,
  weightOnlyDspPsumLatencyCycles,
  weightOnlyDspPsumTileCycles,
  weightOnlyPsumLatencyCycles,
  weightOnlyPsumTileCycles,
  type PsumTileShape,
} from './cycle-model.js';
import { indexRegisterActor } from './index-register.js';
import { lutPsum1dKernel, lutPsum2dKernel, weightOnlyPsumKernel } from './kernel.js';
import {
  DEFAULT_LUT_PSUM_1D_PARAMS,
  DEFAULT_LUT_PSUM_2D_PARAMS,
  DEFAULT_WEIGHT_ONLY_DSP_PSUM_PARAMS,
  DEFAULT_WEIGHT_ONLY_PSUM_PARAMS,
  LutPsumError,
  resolveLutPsum1dParams,
  resolveLutPsum2dParams,
  resolveWeightOnlyDspPsumParams,
  resolveWeightOnlyPsumParams,
  type LutPsum1dParams,
  type LutPsum2dParams,
  type WeightOnlyDspPsumParams,
  type WeightOnlyPsumParams,
} from './params.js';

/**
 * Ports of every LUT-PSum actor (the stage contract):
 * - `act`: per tile, the block's activation indices (ActivationIndexTileMeta / ActivationIndexTile)
 *   or, weight-only, its activations (ActivationTileMeta / ActivationTile); `install` puts an
 *   index register in front so that the stage itself takes them once per block;
 * - `weights`: per (block, tile) the weight tile (WeightTileMeta / WeightTile<layer>);
 * - `out`: per (block, tile) the partial sums (PsumTileMeta / PsumTile).
 * All ports are LINEAR_STREAM_WIDTH_BYTES wide.
 */
const W = LINEAR_STREAM_WIDTH_BYTES;

interface PsumSpec {
  readonly variant: LinearVariant;
  readonly numeric: PsumTileMeta['numeric'];
  readonly matchers: number;
  readonly resources: readonly ResourceSpec[];
  /** Matcher-chain cycles of a tile (its II). */
  readonly tileCycles: (tile: PsumTileShape) => number;
  readonly latencyCycles: number;
  /** The table bank the tile reads and its port accesses (none: no shared bank). */
  readonly bank?: { readonly resource: string; readonly accesses: (tile: PsumTileShape) => number };
  readonly kernel: Kernel;
  /** The cost of one firing on a tile, as a fresh object (for tools; the actor reuses one). */
  readonly cost: (tile: PsumTileShape) => FiringCost;
}

/** A PsumSpec with its `cost` made from its tile cycles, latency and bank accesses. */
function psumSpec(s: Omit<PsumSpec, 'cost'>): PsumSpec {
  return {
    ...s,
    cost: (t) => ({ iiCycles: s.tileCycles(t), latencyCycles: s.latencyCycles, ...(s.bank ? { requests: [{ resource: s.bank.resource, units: s.bank.accesses(t) }] } : {}) }),
  };
}

// Port indices (declaration order of `inputs` / `outputs` below).
const ACT = 0;
const WEIGHTS = 1;
const OUT = 0;

/** The weight tile of a firing, checked against its activation tile and the chain. */
function tileOf(name: string, s: PsumSpec, act: BlockTokenMeta, w: WeightTileMeta): void {
  if (w.variant !== s.variant) throw new LutPsumError(`${name}: got a '${w.variant}' weight tile, this implementation computes '${s.variant}'`);
  if (act.block !== w.block) {
    throw new LutPsumError(`${name}: activation tile of block ${act.block} paired with the weight tile of block ${w.block} (tile ${w.tile}): schedule mismatch`);
  }
  const np = w.posEnd - w.posStart;
  if (np > s.matchers) throw new LutPsumError(`${name}: block ${w.block} has ${np} positions but the chain has ${s.matchers} matchers`);
}

/**
 * Partial-sum metadata of one op shape, by tile index (block * tilesPerBlock + tile), beside the
 * weight-tile metadata object each was made from. Tokens are immutable once written (core's
 * contract), and loaders that share their weight-tile metadata across layers (the
 * accelerator's do) get the same partial-sum objects back: one per (block, tile) of a shape
 * instead of one per tile (~105 k objects, ~12 MB per Qwen3-1.7B decode step). Indexed arrays,
 * not a WeakMap: a WeakMap lookup per firing cost more than the allocation it saved.
 */
interface PsumTable {
  readonly op: string;
  readonly tokens: number;
  readonly source: (WeightTileMeta | undefined)[];
  readonly psums: (PsumTileMeta | undefined)[];
}

/** The tables, one per (numeric, op, tokens, tiles) seen: bounded by the op shapes built. */
const psumTables = new Map<string, PsumTable>();

function psumTableOf(numeric: string, w: WeightTileMeta, tokens: number): PsumTable {
  const tiles = w.blocks * w.tilesPerBlock;
  const key = `${numeric}|${w.op}|${tokens}|${tiles}`;
  let t = psumTables.get(key);
  if (!t) psumTables.set(key, (t = { op: w.op, tokens, source: new Array<WeightTileMeta | undefined>(tiles), psums: new Array<PsumTileMeta | undefined>(tiles) }));
  return t;
}

function psumActor(name: string, s: PsumSpec): ActorSpec {
  // Reused from firing to firing (the engine copies what it keeps): no allocation but the token.
  const shape: { tokens: number; width: number; loadsTable: boolean } = { tokens: 0, width: 0, loadsTable: false };
  const request = s.bank ? { resource: s.bank.resource, units: 0 } : undefined;
  const cost: { iiCycles: number; latencyCycles: number; requests?: ResourceRequest[] } = { iiCycles: 1, latencyCycles: s.latencyCycles, ...(request ? { requests: [request] } : {}) };
  // This actor's partial-sum table (see PsumTable), found on its first firing.
  let table: PsumTable | undefined;
  return {
    name,
    inputs: { act: { widthBytes: W }, weights: { widthBytes: W } },
    outputs: { out: { widthBytes: W } },
    resources: s.resources.map((r) => r.name),
    cost: (f) => {
      const act = f.in[ACT] as BlockTokenMeta;
      const w = f.in[WEIGHTS] as WeightTileMeta;
      tileOf(name, s, act, w);
      shape.tokens = act.tokens;
      shape.width = w.outEnd - w.outStart;
      shape.loadsTable = w.loadsTable;
      cost.iiCycles = s.tileCycles(shape);
      if (request) request.units = s.bank!.accesses(shape);
      return cost;
    },
    // Called after `cost` for the same firing, which checked the pair. A tile's partial-sum
    // metadata is a value of its weight tile's, of the token count and of the numeric: made
    // once per weight-tile metadata object and handed out again (see PsumTable).
    emit: (f, out) => {
      const act = f.in[ACT] as BlockTokenMeta;
      const w = f.in[WEIGHTS] as WeightTileMeta;
      let t = table;
      if (t === undefined || t.op !== w.op || t.tokens !== act.tokens || t.psums.length !== w.blocks * w.tilesPerBlock) table = t = psumTableOf(s.numeric, w, act.tokens);
      const k = w.block * w.tilesPerBlock + w.tile;
      let psum = t.psums[k];
      if (t.source[k] !== w) {
        psum = {
          kind: 'psum',
          numeric: s.numeric,
          op: w.op,
          tokens: act.tokens,
          block: w.block,
          blocks: w.blocks,
          posStart: w.posStart,
          posEnd: w.posEnd,
          tile: w.tile,
          tilesPerBlock: w.tilesPerBlock,
          outStart: w.outStart,
          outEnd: w.outEnd,
        };
        t.psums[k] = psum;
        t.source[k] = w;
      }
      out[OUT] = psum;
    },
    kernel: s.kernel,
  };
}

function installPsum(g: GraphBuilder, name: string, s: PsumSpec, tilesPerBlock: number, bindings: Bindings): readonly string[] {
  const actIn = bindings.in?.['act'];
  const weights = bindings.in?.['weights'];
  const out = bindings.out?.['out'];
  if (!actIn || !weights || !out) throw new LutPsumError(`${name}: install needs bindings in.act, in.weights and out.out`);
  for (const r of s.resources) g.resource(r);
  const hold = g.stream(`${name}.hold`, { depth: 1, widthBytes: W });
  const act = g.stream(`${name}.act`, { depth: 2, widthBytes: W });
  const reg = `${name}.index-register`;
  g.invoke(indexRegisterActor(reg, tilesPerBlock, W), { in: { in: actIn, holdIn: hold }, out: { out: act, holdOut: hold } });
  g.invoke(psumActor(name, s), { in: { act, weights }, out: { out } });
  return [name, reg];
}

/** A LUT-PSum implementation: installable, with the table banks and per-tile cost its actor charges (what its registry entry states). */
export interface LutPsumStage<P> extends LinearStageImplementation<P> {
  /** The weight format it computes on. */
  readonly variant: LinearVariant;
  /** The shared resources (table banks) the actor of instance `name` requests. */
  resources(name: string, params: Partial<P>): readonly ResourceSpec[];
  /** The cost of one firing of instance `name` on a tile (its cycle model). */
  firingCost(name: string, params: Partial<P>, tile: PsumTileShape): FiringCost;
}

function stage<P extends { readonly tilesPerBlock: number }>(
  implementation: string,
  defaults: P,
  resolve: (p: Partial<P>) => P,
  spec: (name: string, p: P) => PsumSpec,
): LutPsumStage<P> {
  return {
    stage: 'lut-psum',
    implementation,
    variant: spec('', defaults).variant,
    defaults,
    resources: (name, params) => spec(name, resolve(params)).resources,
    firingCost: (name, params, tile) => spec(name, resolve(params)).cost(tile),
    actor: (name, params) => psumActor(name, spec(name, resolve(params))),
    install: (g, name, params, bindings) => {
      const p = resolve(params);
      return installPsum(g, name, spec(name, p), p.tilesPerBlock, bindings);
    },
  };
}

/** Co-quantization: the reference 2D-table matcher chain (rowFetch 'direct' models the naive one). */
export const lutPsum2dStage = stage<LutPsum2dParams>('2d-table', DEFAULT_LUT_PSUM_2D_PARAMS, resolveLutPsum2dParams, (name, p) => {
  const resources = lutPsum2dResources(name, p);
  const bank = resources[0]!.name;
  const latency = lutPsum2dLatencyCycles(p);
  return psumSpec({
    variant: 'co-quant',
    numeric: 'int32',
    matchers: p.matchers,
    resources,
    tileCycles: (t) => lutPsum2dTileCycles(p, t),
    latencyCycles: latency,
    bank: { resource: bank, accesses: (t) => lutPsum2dPortAccesses(p, t) },
    kernel: lutPsum2dKernel,
  });
});

/** Activation-only VQ: per-output 1D tables (the 1D-LUT alternate of the stage). */
export const lutPsum1dStage = stage<LutPsum1dParams>('1d-table', DEFAULT_LUT_PSUM_1D_PARAMS, resolveLutPsum1dParams, (name, p) => {
  const resources = lutPsum1dResources(name, p);
  const bank = resources[0]!.name;
  const latency = lutPsum1dLatencyCycles(p);
  return psumSpec({
    variant: 'activation-only',
    numeric: 'fp32-terms',
    matchers: p.matchers,
    resources,
    tileCycles: (t) => lutPsum1dTileCycles(p, t),
    latencyCycles: latency,
    bank: { resource: bank, accesses: (t) => lutPsum1dPortAccesses(p, t) },
    kernel: lutPsum1dKernel,
  });
});

/** Weight-only VQ: online 1D tables from the real activations and the weight codebooks. */
export const weightOnlyPsumStage = stage<WeightOnlyPsumParams>('weight-only-online-table', DEFAULT_WEIGHT_ONLY_PSUM_PARAMS, resolveWeightOnlyPsumParams, (_name, p) => {
  const latency = weightOnlyPsumLatencyCycles(p);
  return psumSpec({
    variant: 'weight-only',
    numeric: 'fp32-terms',
    matchers: p.matchers,
    resources: [],
    tileCycles: (t) => weightOnlyPsumTileCycles(p, t),
    latencyCycles: latency,
    kernel: weightOnlyPsumKernel,
  });
});

/**
 * Weight-only VQ as the paper compares it: de-quantisation from the codebooks + FP32 arithmetic on
 * DSPs. Same numbers as the online-table alternate (vq's weight-only reference: per position the
 * v products of the activations and the indexed codebook entry, summed), different hardware cost.
 */
export const weightOnlyDspPsumStage = stage<WeightOnlyDspPsumParams>('weight-only-dsp', DEFAULT_WEIGHT_ONLY_DSP_PSUM_PARAMS, resolveWeightOnlyDspPsumParams, (_name, p) => {
  const latency = weightOnlyDspPsumLatencyCycles(p);
  return psumSpec({
    variant: 'weight-only',
    numeric: 'fp32-terms',
    matchers: p.matchers,
    resources: [],
    tileCycles: (t) => weightOnlyDspPsumTileCycles(p, t),
    latencyCycles: latency,
    kernel: weightOnlyPsumKernel,
  });
});
