import type { Bindings, GraphBuilder, TokenMeta } from '@lut-llm/core';
import type { StageImplementation } from './stage.js';

/**
 * Stream contracts of the LUTLinear pipeline (DESIGN.md 1.1-1.2): the token metadata and payload
 * of every stream between its stages, the tiling every stage agrees on, and the interface a
 * LUTLinear stage implementation satisfies. Alternate implementations of a stage (another
 * centroid-search topology, the 1D-table PSum, the FP32 accumulator) read and write these same
 * types, so they can be swapped by configuration.
 *
 * ## Tiling (what one token is)
 * A linear op maps x [T][D] to y [T][M] (W is [M][D], M = out-features, D = in-features). Its
 * D / v positions are cut into **position blocks** of `blockPositions` positions (one per position
 * lane: a BPCSU and its LUT-PSum matcher; 16 in the reference design), and its M outputs into
 * **output tiles**: each weight group of G outputs is cut into chunks of at most `outputLanes`
 * outputs (the matcher's 512 lanes), so a tile never straddles two groups and never needs more
 * than one table per position.
 *
 * Tokens are tiles, never scalars, and every token covers all T tokens of the op (so a loaded
 * table block is reused for all T before the next one is needed, the way GEMM amortises it):
 * - per block b: one activation tile, one centroid tile, one activation-index tile;
 * - per (block b, output tile j): one weight tile and one partial-sum tile (in block-major
 *   order: b outer, j inner, which is how the matchers walk the tables);
 * - per output tile j: one accumulated tile and one output tile, after the last block.
 * A full 2048 x 6144 layer is 64 blocks x 12 tiles = 768 weight tokens: timing runs are fast.
 */

/**
 * Width of every LUTLinear stream, in bytes: one 512-bit stream word (the reference streams its
 * tables and indices as 64-byte vectors). Tiles are many words; the stages' cost models account
 * for the cycles a tile takes, so the width only has to agree between producer and consumer.
 */
export const LINEAR_STREAM_WIDTH_BYTES = 64;

/** The three LUTLinear variants of DESIGN.md 1.1. */
export const LINEAR_VARIANTS = ['co-quant', 'weight-only', 'activation-only'] as const;
export type LinearVariant = (typeof LINEAR_VARIANTS)[number];

/** Shape of one linear op run. */
export interface LinearShape {
  /** M: out-features. */
  readonly outFeatures: number;
  /** D: in-features. */
  readonly inFeatures: number;
  /** T: tokens (1 = GEMV, decode; > 1 = GEMM, prefill chunk). */
  readonly tokens: number;
  /** v: elements per position (sub-vector). */
  readonly v: number;
}

/** The hardware numbers the tiling depends on. */
export interface LinearTilingParams {
  /** Positions per block: the number of position lanes (BPCSUs = LUT-PSum matchers). */
  readonly blockPositions: number;
  /** Outputs per tile at most: the matcher's output lanes. */
  readonly outputLanes: number;
  /** Outputs per weight group G (a tile never straddles two groups). */
  readonly groupSize: number;
}

/**
 * The tiling of one op, as preallocated typed arrays (no object per tile on the hot path).
 * Tile j of every block covers outputs [tileOutStart[j], tileOutEnd[j]) of group tileGroup[j].
 */
export interface LinearTilePlan {
  readonly shape: LinearShape;
  readonly tiling: LinearTilingParams;
  /** P = D / v. */
  readonly positions: number;
  /** ceil(P / blockPositions). */
  readonly blocks: number;
  /** Output tiles per block (the same for every block). */
  readonly tilesPerBlock: number;
  /** Weight groups ceil(M / G). */
  readonly groups: number;
  readonly tileOutStart: Int32Array;
  readonly tileOutEnd: Int32Array;
  readonly tileGroup: Int32Array;
  /** 1 when tile j is the first of its group: the (position, group) tables are loaded with it. */
  readonly tileLoadsTable: Uint8Array;
}

/** Thrown for a shape or tiling that cannot be planned; the message names the culprit. */
export class LinearShapeError extends Error {
  override readonly name = 'LinearShapeError';
}

function positiveInt(what: string, x: number): void {
  if (!Number.isInteger(x) || x < 1) throw new LinearShapeError(`${what} must be an integer >= 1, got ${String(x)}`);
}

/** Plans the tiles of one op (see the module comment). Throws `LinearShapeError` on bad input. */
export function planLinearTiles(shape: LinearShape, tiling: LinearTilingParams): LinearTilePlan {
  positiveInt('out-features M', shape.outFeatures);
  positiveInt('in-features D', shape.inFeatures);
  positiveInt('tokens T', shape.tokens);
  positiveInt('sub-vector length v', shape.v);
  positiveInt('blockPositions', tiling.blockPositions);
  positiveInt('outputLanes', tiling.outputLanes);
  positiveInt('groupSize', tiling.groupSize);
  if (shape.inFeatures % shape.v !== 0) {
    throw new LinearShapeError(`in-features D = ${shape.inFeatures} is not divisible by v = ${shape.v}`);
  }
  const M = shape.outFeatures;
  const G = tiling.groupSize;
  const positions = shape.inFeatures / shape.v;
  const groups = Math.ceil(M / G);
  const starts: number[] = [];
  const ends: number[] = [];
  const grp: number[] = [];
  const loads: number[] = [];
  for (let g = 0; g < groups; g++) {
    const gEnd = Math.min(M, (g + 1) * G);
    for (let s = g * G; s < gEnd; s += tiling.outputLanes) {
      loads.push(s === g * G ? 1 : 0);
      starts.push(s);
      ends.push(Math.min(gEnd, s + tiling.outputLanes));
      grp.push(g);
    }
  }
  return {
    shape,
    tiling,
    positions,
    blocks: Math.ceil(positions / tiling.blockPositions),
    tilesPerBlock: starts.length,
    groups,
    tileOutStart: Int32Array.from(starts),
    tileOutEnd: Int32Array.from(ends),
    tileGroup: Int32Array.from(grp),
    tileLoadsTable: Uint8Array.from(loads),
  };
}

/** Positions [posStart, posEnd) of block b. */
export function blockPositionRange(plan: LinearTilePlan, block: number): { readonly posStart: number; readonly posEnd: number } {
  const bp = plan.tiling.blockPositions;
  return { posStart: block * bp, posEnd: Math.min(plan.positions, (block + 1) * bp) };
}

/** What an accumulating stage must know about the op's schedule (firing i is block floor(i / tilesPerBlock)). */
export interface LinearSchedule {
  readonly blocks: number;
  readonly tilesPerBlock: number;
}

// ---- token metadata -----------------------------------------------------------------------

/** Fields every LUTLinear token carries. */
export interface LinearTokenMeta extends TokenMeta {
  /** Label of the linear op (e.g. 'linear', 'q_proj'). */
  readonly op: string;
  /** T: tokens covered by this tile. */
  readonly tokens: number;
}

/** Block-scoped token: positions [posStart, posEnd) of block `block`. */
export interface BlockTokenMeta extends LinearTokenMeta {
  readonly block: number;
  readonly blocks: number;
  readonly posStart: number;
  readonly posEnd: number;
}

/** Tile-scoped token: outputs [outStart, outEnd) of output tile `tile`. */
export interface OutputTileTokenMeta extends LinearTokenMeta {
  readonly tile: number;
  readonly tilesPerBlock: number;
  readonly outStart: number;
  readonly outEnd: number;
}

/** Real activations of one block: payload `ActivationTile`. */
export interface ActivationTileMeta extends BlockTokenMeta {
  readonly kind: 'activation';
  readonly v: number;
}

/** Activation centroids of one block's positions: payload `CentroidTile`. */
export interface CentroidTileMeta extends BlockTokenMeta {
  readonly kind: 'centroids';
  readonly centroids: number;
  readonly v: number;
}

/** Activation indices of one block: payload `ActivationIndexTile`. */
export interface ActivationIndexTileMeta extends BlockTokenMeta {
  readonly kind: 'activation-index';
  /**
   * How the indices are searched (set by the centroid-search stage; optional for other producers):
   * what a worker-thread kernel needs to reproduce them from the payloads alone.
   */
  readonly search?: { readonly distance: 'chebyshev' | 'l2sq'; readonly chainLength: number; readonly centroids: number; readonly v: number };
}

/** Weights (indices + tables or codebooks) of one (block, output tile): payload `WeightTile<L>`. */
export interface WeightTileMeta extends BlockTokenMeta, OutputTileTokenMeta {
  readonly kind: 'weights';
  readonly variant: LinearVariant;
  readonly group: number;
  /** True on the first tile of a group: the tables/codebooks of (block, group) come with it. */
  readonly loadsTable: boolean;
  /** Bytes streamed from HBM for this tile. */
  readonly bytes: number;
}

/** Partial sums of one (block, output tile) over the block's positions: payload `PsumTile`. */
export interface PsumTileMeta extends BlockTokenMeta, OutputTileTokenMeta {
  readonly kind: 'psum';
  readonly numeric: 'int32' | 'fp32-terms';
}

/** An output tile summed over all positions: payload `AccumulatedTile`. */
export interface AccumulatedTileMeta extends OutputTileTokenMeta {
  readonly kind: 'accumulated';
  readonly numeric: 'int32' | 'fp32';
}

/** Dequantization parameters of an output tile's group: payload `ScaleTile<L>`. */
export interface ScaleTileMeta extends OutputTileTokenMeta {
  readonly kind: 'scales';
  readonly group: number;
}

/** Final FP32 outputs of one tile: payload `OutputTile`. */
export interface OutputTileMeta extends OutputTileTokenMeta {
  readonly kind: 'output';
}

// ---- payloads (functional mode) -------------------------------------------------------------

/** x restricted to the block: Float32Array [T][(posEnd - posStart) * v]. */
export interface ActivationTile {
  readonly x: Float32Array;
}

/** Activation codebooks of the block: Float32Array [posEnd - posStart][cA][v]. */
export interface CentroidTile {
  readonly codebooks: Float32Array;
}

/** Activation indices: Uint8Array [T][posEnd - posStart]. */
export interface ActivationIndexTile {
  readonly indices: Uint8Array;
}

/**
 * The weight stream of one tile: the layer restricted to the block's positions (`layer` has
 * positions = posEnd - posStart and all M outputs; the tile's outputs come from the metadata).
 * `L` is the variant's layer type (vq's QuantizedLinear or ActivationOnlyLinear): contracts does
 * not depend on vq, so the stage packages specialise it.
 */
export interface WeightTile<L> {
  readonly layer: L;
}

/**
 * Partial sums of a tile.
 * - 'int32': Int32Array [T][w], the integer sum over the block's positions (co-quantization:
 *   integer addition is order-free, so blocks can be summed in any order, bit-identically).
 * - 'fp32-terms': Float32Array [positions][T][w], the looked-up FP32 term of each position,
 *   unsummed: FP32 addition does not reassociate, so the accumulator folds them in ascending
 *   position order (numerically what a systolic chain fed from the output buffer computes).
 */
export type PsumTile =
  | { readonly kind: 'int32'; readonly psum: Int32Array }
  | { readonly kind: 'fp32-terms'; readonly positions: number; readonly terms: Float32Array };

/** A tile summed over all positions: INT32 [T][w] (co-quant) or final FP32 [T][w] (FP32 variants). */
export type AccumulatedTile = { readonly kind: 'int32'; readonly acc: Int32Array } | { readonly kind: 'fp32'; readonly y: Float32Array };

/** The layer whose scales and zero points dequantize the tile (vq's QuantizedLinear). */
export interface ScaleTile<L> {
  readonly layer: L;
}

/** FP32 outputs [T][w]. */
export interface OutputTile {
  readonly y: Float32Array;
}

// ---- stage implementations -------------------------------------------------------------------

/**
 * A LUTLinear stage: a `StageImplementation` that can also install itself in a graph, declaring
 * what it needs besides its main actor (its on-chip memory banks as shared resources, private
 * streams such as the accumulator's output buffer, helper actors such as a matcher's index
 * register). `bindings` binds the stage's external ports, as `GraphBuilder.invoke` does.
 * Returns the names of the actors it invoked (the main actor first).
 */
export interface LinearStageImplementation<P> extends StageImplementation<P> {
  install(g: GraphBuilder, name: string, params: P, bindings: Bindings): readonly string[];
}
