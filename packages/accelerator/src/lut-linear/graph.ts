import { fp32AccumulatorStage, int32AccumulatorStage } from '@lut-llm/accumulator';
import { centroidSearchStageOf } from '@lut-llm/centroid-search';
import {
  LINEAR_STREAM_WIDTH_BYTES,
  blockPositionRange,
  installStage,
  planLinearTiles,
  type ActivationTile,
  type ActivationTileMeta,
  type CentroidTile,
  type CentroidTileMeta,
  type LinearTilePlan,
  type ScaleTile,
  type ScaleTileMeta,
  type WeightTile,
  type WeightTileMeta,
} from '@lut-llm/contracts';
import { GraphBuilder, type Bindings, type Graph, type StreamRef, type TokenMeta } from '@lut-llm/core';
import { dequantizerStage } from '@lut-llm/dequantizer';
import { lutPsum1dStage, lutPsum2dStage, weightOnlyDspPsumStage, weightOnlyPsumStage } from '@lut-llm/lut-psum';
import { hbmChannelGroup, type HbmStream } from '@lut-llm/memory';
import { indexBitsFor, type ActivationOnlyLinear, type QuantizedLinear } from '@lut-llm/vq';
import { checkLutLinearData, synthesizeLutLinearData } from './data.js';
import { hbmReaderActor, hbmWriterActor, vectorCollectorActor, vectorSplitterActor } from './hbm-actors.js';
import { activationOnlyBlock, quantizedLinearBlock } from './layer-views.js';
import { shareUnitBanks } from './unit-banks.js';
import { hbmStreamsOf, resolveLutLinearConfig, type LutLinearConfig, type LutLinearData, type LutLinearOptions } from './options.js';
import { activationTileBytes, centroidTileBytes, outputTileBytes, SCALE_BYTES_PER_GROUP, weightTileBytes, type TrafficParams } from './traffic.js';

/**
 * The LUTLinear task graph (DESIGN.md 1.2-1.3) for one linear op, in one of three variants:
 *
 *   co-quant:        input-reader ──activations──> centroid-search <──centroids── centroid-loader
 *                    centroid-search ──activation-indices──> lut-psum (2D) <──weight-tiles── weight-loader
 *                    lut-psum ──psums──> accumulator (INT32) ──accumulated──> dequantizer <──scales── scale-loader
 *                    dequantizer ──outputs──> output-writer
 *   weight-only:     input-reader ──activations──> lut-psum (online 1D tables) <──weight-tiles── weight-loader
 *                    lut-psum ──psums──> accumulator (FP32) ──outputs──> output-writer
 *   activation-only: as co-quant up to the indices, then lut-psum (1D tables per output)
 *                    ──psums──> accumulator (FP32) ──outputs──> output-writer
 *
 * Readers and the writer are HBM channel groups (memory.hbmChannelGroup: weights 32 channels,
 * input 4, centroids 4, scales 1, output 4 by default). Tokens are tiles (contracts' tiling):
 * per position block an activation / centroid / index tile, per (block, output tile) a weight
 * and a partial-sum tile, per output tile an accumulated and an output tile. A weight tile
 * covers all T tokens, so each loaded table block is reused for all tokens (GEMM).
 */
export interface LutLinearGraph {
  readonly graph: Graph;
  readonly config: LutLinearConfig;
  readonly plan: LinearTilePlan;
  /** The data the kernels compute on (functional mode only). */
  readonly data: LutLinearData | undefined;
  /** Resource name of each HBM stream the variant uses. */
  readonly hbmResources: Readonly<Partial<Record<HbmStream, string>>>;
}

/** Actor names of the graph (stable: tests, reports and the CLI refer to them). */
export const LUT_LINEAR_ACTORS = Object.freeze({
  inputReader: 'input-reader',
  centroidLoader: 'centroid-loader',
  centroidSearch: 'centroid-search',
  weightLoader: 'weight-loader',
  psum: 'lut-psum',
  accumulator: 'accumulator',
  scaleLoader: 'scale-loader',
  dequantizer: 'dequantizer',
  outputWriter: 'output-writer',
});

/** FIFO names of the graph (the keys of LutLinearFifoDepths, in kebab case). */
export const LUT_LINEAR_FIFOS = Object.freeze({
  activations: 'activations',
  centroids: 'centroids',
  activationIndices: 'activation-indices',
  weightTiles: 'weight-tiles',
  scales: 'scales',
  psums: 'psums',
  accumulated: 'accumulated',
  outputs: 'outputs',
});

/** Builds the graph of a LUTLinear run (validating everything first). */
export function buildLutLinearGraph(opts: LutLinearOptions): LutLinearGraph {
  const cfg = resolveLutLinearConfig(opts);
  const plan = planOf(cfg);
  let data: LutLinearData | undefined;
  if (cfg.mode === 'functional') {
    data = opts.data ?? synthesizeLutLinearData(cfg);
    checkLutLinearData(cfg, data);
  }
  const g = new GraphBuilder(`lut-linear ${cfg.variant} ${cfg.shape.outFeatures}x${cfg.shape.inFeatures} T=${cfg.shape.tokens}`);
  const hbmResources: Partial<Record<HbmStream, string>> = {};
  for (const s of hbmStreamsOf(cfg.variant)) {
    const r = hbmChannelGroup(s, cfg.hbm);
    g.resource(r);
    hbmResources[s] = r.name;
  }
  installLutLinearOp(g, { cfg, data, hbmResources });
  return { graph: g.build(), config: cfg, plan, data, hbmResources };
}

/** The tile plan of a resolved configuration. */
export function planOf(cfg: LutLinearConfig): LinearTilePlan {
  return planLinearTiles(cfg.shape, { blockPositions: cfg.positionLanes, outputLanes: cfg.outputLanes, groupSize: cfg.numerics.groupSize });
}

/** HBM loaders of one op that a model-level graph chains (one HBM streaming engine per kind). */
export type LutLinearLoader = 'weights' | 'centroids' | 'scales';

/**
 * Where one installed LUTLinear op connects. Omitted `input` / `output`: the op reads its
 * activations from / writes its results to HBM (a standalone op). Given: full-vector tokens
 * ([T][D] in, [T][M] out, FP32) from / to on-chip producers and consumers, as when LUTLinear runs
 * inside the decoder layer (DESIGN.md 1.3: its outputs flow on into the SFU and attention).
 * `goIn[k]`: the op's `k` loader waits for one token there before its first HBM request, and
 * `goOut[k]`: it writes one token there after its last one, so a model's ops stream their tables
 * one after another over one engine, as the single LUTLinear unit does in rounds.
 */
export interface LutLinearInstall {
  readonly cfg: LutLinearConfig;
  readonly data: LutLinearData | undefined;
  /** Resource name of each HBM stream used (declared by the caller). */
  readonly hbmResources: Readonly<Partial<Record<HbmStream, string>>>;
  /** Prefix of every actor and FIFO name (e.g. 'L3.qkv.'); default ''. */
  readonly prefix?: string;
  readonly input?: { readonly stream: StreamRef; readonly widthBytes: number };
  readonly output?: { readonly stream: StreamRef; readonly widthBytes: number };
  readonly goIn?: Readonly<Partial<Record<LutLinearLoader, StreamRef>>>;
  readonly goOut?: Readonly<Partial<Record<LutLinearLoader, StreamRef>>>;
  /**
   * Given: the op runs on the one LUTLinear unit shared by every op installed with the same
   * `unitPrefix`, so its PSum stage's on-chip banks are the unit's (`<unitPrefix>lut-psum.table`),
   * whose ports all those ops share (unit-banks.ts). Omitted: the op has its own banks.
   */
  readonly unitPrefix?: string;
}

/** Width of the `go` tokens of loader chains. */
export const GO_TOKEN_BYTES = 4;

/** On-chip stream bytes per cycle between the units (one 512-bit word per cycle). */
const STREAM_BYTES_PER_CYCLE = LINEAR_STREAM_WIDTH_BYTES;

/**
 * Weight-tile metadata by firing, shared by every op of one graph build with the same key.
 * A weight tile's metadata is a value (it names an op, not a layer: the 28 layers' gate_up
 * tiles are equal), and tokens are immutable once written (core's contract), so the layers'
 * loaders hand out the same objects: one per (block, tile) of a shape instead of one per tile
 * loaded (105 k objects, ~15 MB per Qwen3-1.7B decode step, which the scavenges then copied).
 * Keyed by the builder, so a cache lives as long as the graph being built.
 */
const weightMetaCaches = new WeakMap<GraphBuilder, Map<string, WeightTileMeta[]>>();

/** Everything a weight tile's metadata depends on besides its index (see `installLutLinearOp`). */
function weightMetaKey(cfg: LutLinearConfig, tokens: number, traffic: TrafficParams): string {
  return JSON.stringify([cfg.variant, cfg.op, tokens, cfg.shape, cfg.positionLanes, cfg.outputLanes, traffic]);
}

function weightMetasOf(g: GraphBuilder, key: string, tiles: number): WeightTileMeta[] {
  let byKey = weightMetaCaches.get(g);
  if (!byKey) weightMetaCaches.set(g, (byKey = new Map()));
  let metas = byKey.get(key);
  if (!metas) byKey.set(key, (metas = new Array<WeightTileMeta>(tiles)));
  return metas;
}

/** Installs the actors and streams of one LUTLinear op into `g` (see `LutLinearInstall`). */
export function installLutLinearOp(g: GraphBuilder, inst: LutLinearInstall): void {
  const { cfg, data, hbmResources } = inst;
  const plan = planOf(cfg);
  const pre = inst.prefix ?? '';
  const { variant, fifoDepths: depth, shape } = cfg;
  const A = Object.fromEntries(Object.entries(LUT_LINEAR_ACTORS).map(([k, v]) => [k, pre + v])) as { -readonly [K in keyof typeof LUT_LINEAR_ACTORS]: string };
  const F = Object.fromEntries(Object.entries(LUT_LINEAR_FIFOS).map(([k, v]) => [k, pre + v])) as { -readonly [K in keyof typeof LUT_LINEAR_FIFOS]: string };
  const W = LINEAR_STREAM_WIDTH_BYTES;
  const { blocks, tilesPerBlock } = plan;
  const T = shape.tokens;
  const D = shape.inFeatures;
  const v = shape.v;
  const gate = (k: LutLinearLoader) => ({ ...(inst.goIn?.[k] ? { goIn: inst.goIn[k] } : {}), ...(inst.goOut?.[k] ? { goOut: inst.goOut[k] } : {}) });
  const lat = cfg.hbm.readLatencyCycles;
  const traffic: TrafficParams = {
    numerics: cfg.numerics,
    weightIndexBits: indexBitsFor(cfg.numerics.cW),
    activationOnlyEntryBytes: cfg.lutPsum1d.entryBits / 8,
  };

  // ---- streams
  const s = {
    activations: g.stream(F.activations, { depth: depth.activations, widthBytes: W }),
    weightTiles: g.stream(F.weightTiles, { depth: depth.weightTiles, widthBytes: W }),
    psums: g.stream(F.psums, { depth: depth.psums, widthBytes: W }),
    outputs: g.stream(F.outputs, { depth: depth.outputs, widthBytes: W }),
  };

  // ---- activations: from HBM, or split from an on-chip full-vector stream
  const x = data?.x;
  // Token metadata is written out field by field (a block's op, tokens, block, blocks, posStart,
  // posEnd; a tile's tile, tilesPerBlock, outStart, outEnd): object spreads make slow objects,
  // and every stage downstream reads these tokens' fields.
  const activationMeta = (b: number): ActivationTileMeta => {
    const { posStart, posEnd } = blockPositionRange(plan, b);
    return { kind: 'activation', v, op: cfg.op, tokens: T, block: b, blocks, posStart, posEnd };
  };
  const activationTile = (xs: Float32Array, b: number): ActivationTile => {
    const { posStart, posEnd } = blockPositionRange(plan, b);
    const width = (posEnd - posStart) * v;
    const tile = new Float32Array(T * width);
    for (let t = 0; t < T; t++) tile.set(xs.subarray(t * D + posStart * v, t * D + posEnd * v), t * width);
    return { x: tile };
  };
  if (inst.input) {
    g.invoke(vectorSplitterActor({ name: A.inputReader, inWidthBytes: inst.input.widthBytes, outWidthBytes: W, count: blocks, bytes: (b) => activationTileBytes(plan, b), meta: activationMeta, tile: activationTile }), {
      in: { in: inst.input.stream },
      out: { out: s.activations },
    });
  } else g.invoke(
    hbmReaderActor({
      name: A.inputReader,
      resource: hbmResources.input!,
      widthBytes: W,
      count: blocks,
      latencyCycles: lat,
      bytes: (b) => activationTileBytes(plan, b),
      meta: activationMeta,
      ...(x ? { payload: (b: number): ActivationTile => activationTile(x, b) } : {}),
    }),
    { out: { out: s.activations } },
  );
  const usesCentroids = variant !== 'weight-only';
  const codebookSource: QuantizedLinear | ActivationOnlyLinear | undefined = variant === 'activation-only' ? data?.activationOnly : data?.layer;
  const centroidsStream = usesCentroids ? g.stream(F.centroids, { depth: depth.centroids, widthBytes: W }) : undefined;
  if (centroidsStream) {
    const cA = cfg.numerics.cA;
    g.invoke(
      hbmReaderActor({
        name: A.centroidLoader,
        ...gate('centroids'),
        resource: hbmResources.centroids!,
        widthBytes: W,
        count: blocks,
        latencyCycles: lat,
        bytes: (b) => centroidTileBytes(plan, b, cA),
        meta: (b): CentroidTileMeta => {
          const { posStart, posEnd } = blockPositionRange(plan, b);
          return { kind: 'centroids', centroids: cA, v, op: cfg.op, tokens: T, block: b, blocks, posStart, posEnd };
        },
        ...(codebookSource
          ? {
              payload: (b: number): CentroidTile => {
                const { posStart, posEnd } = blockPositionRange(plan, b);
                return { codebooks: codebookSource.actCodebooks.subarray(posStart * cA * v, posEnd * cA * v) };
              },
            }
          : {}),
      }),
      loaderBindings(inst, 'centroids', centroidsStream),
    );
  }
  // A block's weight tile (a view of the layer) is made once, on its first tile, and shared by
  // all of its tiles (one object: a worker message carries it once).
  let viewBlock = -1;
  let blockTile: WeightTile<QuantizedLinear | ActivationOnlyLinear> | undefined;
  const tileOfBlock = (b: number): WeightTile<QuantizedLinear | ActivationOnlyLinear> => {
    if (b !== viewBlock) {
      const { posStart, posEnd } = blockPositionRange(plan, b);
      blockTile = { layer: variant === 'activation-only' ? activationOnlyBlock(data!.activationOnly!, posStart, posEnd) : quantizedLinearBlock(data!.layer!, posStart, posEnd) };
      viewBlock = b;
    }
    return blockTile!;
  };
  const weightMetaOf = (i: number): WeightTileMeta => {
    const b = Math.floor(i / tilesPerBlock);
    const j = i % tilesPerBlock;
    const { posStart, posEnd } = blockPositionRange(plan, b);
    return {
      kind: 'weights',
      variant,
      op: cfg.op,
      tokens: T,
      block: b,
      blocks,
      posStart,
      posEnd,
      tile: j,
      tilesPerBlock,
      outStart: plan.tileOutStart[j]!,
      outEnd: plan.tileOutEnd[j]!,
      group: plan.tileGroup[j]!,
      loadsTable: plan.tileLoadsTable[j] === 1,
      bytes: weightTileBytes(variant, plan, b, j, traffic),
    };
  };
  const weightMetas = weightMetasOf(g, weightMetaKey(cfg, T, traffic), blocks * tilesPerBlock);
  // Written out field by field (a block's and a tile's fields), once per (block, tile) of the
  // op's shape: see \`weightMetasOf\`.
  const weightMetaAt = (i: number): WeightTileMeta => (weightMetas[i] ??= weightMetaOf(i));
  g.invoke(
    hbmReaderActor({
      name: A.weightLoader,
      ...gate('weights'),
      resource: hbmResources.weights!,
      widthBytes: W,
      count: blocks * tilesPerBlock,
      latencyCycles: lat,
      // A tile's bytes are a field of its metadata (the cost reads them there: computed once
      // per (block, tile) of the op's shape, not per firing).
      bytes: (i) => weightMetaAt(i).bytes,
      meta: weightMetaAt,
      ...(data ? { payload: (i: number): WeightTile<QuantizedLinear | ActivationOnlyLinear> => tileOfBlock(Math.floor(i / tilesPerBlock)) } : {}),
    }),
    loaderBindings(inst, 'weights', s.weightTiles),
  );
  const scalesStream = variant === 'co-quant' ? g.stream(F.scales, { depth: depth.scales, widthBytes: W }) : undefined;
  if (scalesStream) {
    const layer = data?.layer;
    g.invoke(
      hbmReaderActor({
        name: A.scaleLoader,
        ...gate('scales'),
        resource: hbmResources.scales!,
        widthBytes: W,
        count: tilesPerBlock,
        latencyCycles: lat,
        bytes: () => SCALE_BYTES_PER_GROUP,
        meta: (j): ScaleTileMeta => ({ kind: 'scales', op: cfg.op, tokens: T, group: plan.tileGroup[j]!, tile: j, tilesPerBlock, outStart: plan.tileOutStart[j]!, outEnd: plan.tileOutEnd[j]! }),
        ...(layer ? { payload: (): ScaleTile<QuantizedLinear> => ({ layer }) } : {}),
      }),
      loaderBindings(inst, 'scales', scalesStream),
    );
  }

  // ---- compute stages
  let psumAct = s.activations;
  if (centroidsStream) {
    const indices = g.stream(F.activationIndices, { depth: depth.activationIndices, widthBytes: W });
    centroidSearchStageOf(cfg.centroidSearchImplementation)!.install(g, A.centroidSearch, cfg.centroidSearch, {
      in: { act: s.activations, centroids: centroidsStream },
      out: { out: indices },
    });
    psumAct = indices;
  }
  const psumBindings = { in: { act: psumAct, weights: s.weightTiles }, out: { out: s.psums } };
  // One matcher chain serves every op of a pass, so ops of a unit share its table bank (unit-banks.ts).
  const gp = inst.unitPrefix !== undefined ? shareUnitBanks(g, pre, inst.unitPrefix) : g;
  // A plugin stage (cfg.stagePlugins, from any package) replaces the variant's shipped one; the schedule fields are the op's.
  const plug = cfg.stagePlugins;
  if (plug['lut-psum']) installStage(plug['lut-psum'].plugin, gp, A.psum, { ...plug['lut-psum'].params, tilesPerBlock }, psumBindings);
  else if (variant === 'co-quant') lutPsum2dStage.install(gp, A.psum, { ...cfg.lutPsum2d, tilesPerBlock }, psumBindings);
  else if (variant === 'activation-only') lutPsum1dStage.install(gp, A.psum, { ...cfg.lutPsum1d, tilesPerBlock }, psumBindings);
  else if (cfg.weightOnlyImplementation === 'dsp-dequant') weightOnlyDspPsumStage.install(gp, A.psum, { ...cfg.weightOnlyDspPsum, tilesPerBlock }, psumBindings);
  else weightOnlyPsumStage.install(gp, A.psum, { ...cfg.weightOnlyPsum, tilesPerBlock }, psumBindings);

  const accParams = { ...cfg.accumulator, blocks, tilesPerBlock };
  const accumulate = (bindings: Bindings, shipped: typeof int32AccumulatorStage) =>
    plug.accumulator ? installStage(plug.accumulator.plugin, g, A.accumulator, { ...plug.accumulator.params, blocks, tilesPerBlock }, bindings) : shipped.install(g, A.accumulator, accParams, bindings);
  if (variant === 'co-quant') {
    const accumulated = g.stream(F.accumulated, { depth: depth.accumulated, widthBytes: W });
    accumulate({ in: { in: s.psums }, out: { out: accumulated } }, int32AccumulatorStage);
    const dqBindings = { in: { in: accumulated, scales: scalesStream! }, out: { out: s.outputs } };
    if (plug.dequantizer) installStage(plug.dequantizer.plugin, g, A.dequantizer, plug.dequantizer.params, dqBindings);
    else dequantizerStage.install(g, A.dequantizer, cfg.dequantizer, dqBindings);
  } else {
    accumulate({ in: { in: s.psums }, out: { out: s.outputs } }, fp32AccumulatorStage);
  }
  if (inst.output) {
    g.invoke(
      vectorCollectorActor({
        name: A.outputWriter,
        inWidthBytes: W,
        outWidthBytes: inst.output.widthBytes,
        count: tilesPerBlock,
        tokens: T,
        outFeatures: shape.outFeatures,
        bytes: (m: TokenMeta) => outputTileBytes(plan, (m as { tile: number }).tile),
        bytesPerCycle: STREAM_BYTES_PER_CYCLE,
      }),
      { in: { in: s.outputs }, out: { out: inst.output.stream } },
    );
  } else {
    g.invoke(
      hbmWriterActor({
        name: A.outputWriter,
        resource: hbmResources.output!,
        widthBytes: W,
        bytes: (m: TokenMeta) => outputTileBytes(plan, (m as { tile: number }).tile),
      }),
      { in: { in: s.outputs } },
    );
  }
}

function loaderBindings(inst: LutLinearInstall, k: LutLinearLoader, out: StreamRef): { in?: Record<string, StreamRef>; out: Record<string, StreamRef> } {
  const goIn = inst.goIn?.[k];
  const goOut = inst.goOut?.[k];
  return { ...(goIn ? { in: { go: goIn } } : {}), out: { out, ...(goOut ? { done: goOut } : {}) } };
}
