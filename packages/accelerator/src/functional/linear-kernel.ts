import type { ActivationTile, ActivationTileMeta, CentroidTile, CentroidTileMeta, TileToken } from '@lut-llm/contracts';
import { centroidSearch, type BpcsuParams } from '@lut-llm/centroid-search';
import { dequantizeOutputTile } from '@lut-llm/dequantizer';
import { lutAccumulateTile, type QuantizedLinear } from '@lut-llm/vq';
import { from } from 'rxjs';

/**
 * One co-quantized LUTLinear op of the functional stream, as its kernels need it: plain numbers
 * and arrays (a worker receives it once per op; the arrays live in SharedArrayBuffers there).
 * Block b covers positions [blockPosStart[b], blockPosStart[b + 1]) (the blocks the centroid
 * search runs in); output tile j covers outputs [tileOutStart[j], tileOutEnd[j]).
 */
export interface LinearSchedule {
  /** The op's name in the tiles' metadata (e.g. 'L3.qkv'). */
  readonly op: string;
  readonly tokens: number;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** v: elements per sub-vector (position). */
  readonly v: number;
  /** c_a: activation centroids per position. */
  readonly centroids: number;
  readonly blockPosStart: readonly number[];
  readonly tileOutStart: readonly number[];
  readonly tileOutEnd: readonly number[];
  /** The centroid search's parameters (the LUTLinear config's `centroidSearch`). */
  readonly search: BpcsuParams;
}

/** What one op's kernels read and write: activations x [T][D] in, indices [T][P] between the two phases, outputs y [T][M]. */
export interface LinearOpBuffers {
  readonly x: Float32Array;
  readonly indices: Uint8Array;
  readonly y: Float32Array;
}

/**
 * Centroid search of blocks [b0, b1) of an op: the blocks' activation and centroid tiles (the
 * tiles the engine's loaders emit) through the `centroidSearch` operator, synchronously; each
 * block's indices [T][np] land in their columns of `indices` [T][P]. A block's search reads only
 * its own positions, so any split of the blocks gives the same indices.
 */
export function searchBlocks(layer: QuantizedLinear, s: LinearSchedule, buf: LinearOpBuffers, b0: number, b1: number): void {
  const { tokens: T, inFeatures: D, v } = s;
  const cA = s.centroids;
  const P = s.blockPosStart[s.blockPosStart.length - 1]!;
  const blocks = s.blockPosStart.length - 1;
  const pair = (b: number): readonly [TileToken<ActivationTileMeta, ActivationTile>, TileToken<CentroidTileMeta, CentroidTile>] => {
    const [p0, p1] = [s.blockPosStart[b]!, s.blockPosStart[b + 1]!];
    const base = { op: s.op, tokens: T, block: b, blocks, posStart: p0, posEnd: p1 };
    const w = (p1 - p0) * v;
    const xb = new Float32Array(T * w);
    for (let t = 0; t < T; t++) xb.set(buf.x.subarray(t * D + p0 * v, t * D + p1 * v), t * w);
    return [
      { meta: { kind: 'activation', v, ...base }, payload: { x: xb } },
      { meta: { kind: 'centroids', centroids: cA, v, ...base }, payload: { codebooks: layer.actCodebooks.subarray(p0 * cA * v, p1 * cA * v) } },
    ];
  };
  const blockIds: number[] = [];
  for (let b = b0; b < b1; b++) blockIds.push(b);
  let error: unknown;
  from(blockIds.map(pair))
    .pipe(centroidSearch(s.search))
    .subscribe({
      next: (t) => {
        const [p0, np] = [t.meta.posStart, t.meta.posEnd - t.meta.posStart];
        for (let r = 0; r < T; r++) buf.indices.set(t.payload.indices.subarray(r * np, (r + 1) * np), r * P + p0);
      },
      error: (e: unknown) => (error = e),
    });
  if (error !== undefined) throw error;
}

/**
 * Output tiles [tile0, tile1) of a co-quantized LUTLinear over every position, into their columns
 * of `y` [T][M]: per tile the 2D LUT partial sums of all positions accumulated in INT32
 * (`lutAccumulateTile`, the kernel under the matcher chain's `lutPsum2dTile`), then dequantization
 * (`dequantizeOutputTile`, the dequantizer's). The engine sums each block's partial sums
 * (`accumulateInt32`) in block order; INT32 addition wraps modulo 2^32 and is associative and
 * commutative, so one accumulation over all positions gives the same bits (the specs compare
 * them) with no per-block partial-sum arrays, no per-block add pass, and the look-up loop running
 * over all positions at once (it reads and writes each accumulator once per four positions).
 */
export function lutLinearTilesInto(layer: QuantizedLinear, s: LinearSchedule, buf: LinearOpBuffers, tile0: number, tile1: number): void {
  const { tokens: T, outFeatures: M } = s;
  const P = layer.positions;
  for (let j = tile0; j < tile1; j++) {
    const [n0, n1] = [s.tileOutStart[j]!, s.tileOutEnd[j]!];
    const w = n1 - n0;
    const acc = new Int32Array(T * w);
    lutAccumulateTile(layer, buf.indices, T, 0, P, n0, n1, acc);
    const out = dequantizeOutputTile(layer, acc, T, n0, n1);
    for (let t = 0; t < T; t++) buf.y.set(out.subarray(t * w, (t + 1) * w), t * M + n0);
  }
}

/** An op's two phases: the centroid search (over blocks of positions), then the output tiles. */
export type LinearPhase = 'search' | 'tiles';

/**
 * Blocks per claim in the search phase: 8 blocks of 16 positions are ~80 us of search per token
 * (measured: ~0.65 ms per 1,024 positions of one token), well above a claim's cost (one atomic
 * add) and fine enough that the lanes finish an op's search together.
 */
export const SEARCH_BLOCKS_PER_CLAIM = 8;

/** A phase of an op cut into chunks that lanes claim: `per` blocks or tiles each, of `units` in all. */
export interface PhaseChunks {
  readonly phase: LinearPhase;
  readonly per: number;
  readonly units: number;
  readonly chunks: number;
}

export function phaseChunks(s: LinearSchedule, phase: LinearPhase, tilesPerClaim: number): PhaseChunks {
  const units = phase === 'search' ? s.blockPosStart.length - 1 : s.tileOutStart.length;
  const per = phase === 'search' ? SEARCH_BLOCKS_PER_CLAIM : tilesPerClaim;
  return { phase, per, units, chunks: Math.ceil(units / per) };
}

/** Marks in a claim control array (`ctl[2 + c]`, who holds chunk c): worker lanes are 1, 2, ...; this is the main thread's. */
export const MAIN_LANE = -1;
/** `ctl[2 + c]` once chunk c is done. */
export const CHUNK_DONE = -2;

/**
 * Claims chunks of a phase until none is left and runs them: `ctl[0]` is the next chunk to claim,
 * `ctl[1]` how many are done, `ctl[2 + c]` who
 * holds chunk c (`lane`) until it is done (then CHUNK_DONE), so a failure can be named by the
 * chunk its lane held. Every lane (worker threads and the main thread) runs this same loop on the
 * same shared counter: a lane that comes late (busy with a timing pass, say) finds the chunks
 * taken and returns at once, and no lane waits for another to hand it work.
 */
export function claimChunks(layer: QuantizedLinear, s: LinearSchedule, buf: LinearOpBuffers, pc: PhaseChunks, ctl: Int32Array, lane: number): void {
  for (;;) {
    const c = Atomics.add(ctl, 0, 1);
    if (c >= pc.chunks) return;
    Atomics.store(ctl, 2 + c, lane);
    const [a, b] = [c * pc.per, Math.min(pc.units, (c + 1) * pc.per)];
    if (pc.phase === 'search') searchBlocks(layer, s, buf, a, b);
    else lutLinearTilesInto(layer, s, buf, a, b);
    Atomics.store(ctl, 2 + c, CHUNK_DONE);
    Atomics.add(ctl, 1, 1);
  }
}

/** A functional LUTLinear op failed (a kernel error, a worker dying): names the op and the blocks or output tiles it was computing. */
export class LinearStreamError extends Error {
  constructor(
    readonly op: string,
    readonly phase: LinearPhase,
    /** The first block or tile of the failed chunk, and the one after its last. */
    readonly first: number,
    readonly end: number,
    /** Blocks or tiles of the op. */
    readonly of: number,
    cause: unknown,
  ) {
    super(`functional LUTLinear ${op}, ${phase === 'search' ? 'blocks' : 'output tiles'} ${first}..${end - 1} of ${of}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'LinearStreamError';
  }

  /** The error for the chunk `lane` held in `ctl` (the whole phase if it held none). */
  static forLane(s: LinearSchedule, pc: PhaseChunks, ctl: Int32Array, lane: number, cause: unknown): LinearStreamError {
    for (let c = 0; c < pc.chunks; c++) {
      if (Atomics.load(ctl, 2 + c) === lane) return new LinearStreamError(s.op, pc.phase, c * pc.per, Math.min(pc.units, (c + 1) * pc.per), pc.units, cause);
    }
    return new LinearStreamError(s.op, pc.phase, 0, pc.units, pc.units, cause);
  }
}
