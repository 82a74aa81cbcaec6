import type { AccumulatedTile, AccumulatedTileMeta, PsumTile, PsumTileMeta, StageTile, TileToken } from '@lut-llm/contracts';
import { defer, map, type Observable, type OperatorFunction } from 'rxjs';
import { accumulatorLatencyCycles, accumulatorTileCycles } from './cycle-model.js';
import { accumulateFp32Terms, accumulateInt32 } from './kernel.js';
import { AccumulatorError, DEFAULT_FP32_ACCUMULATOR_PARAMS, DEFAULT_INT32_ACCUMULATOR_PARAMS, resolveAccumulatorParams, type AccumulatorParams } from './params.js';

/**
 * What the accumulator operator emits per partial-sum tile (one per firing): the running tile
 * after adding this block and the accumulator's cost for it. `final` is true on the firing of the
 * last block, whose tile leaves the stage (the actor's `out` port); the others stay in the output
 * buffer (`bufOut`). Pass only the final ones downstream: `filter((t) => t.final)`.
 */
export interface AccumulatorTile extends StageTile<AccumulatedTileMeta, AccumulatedTile> {
  readonly final: boolean;
}

/**
 * The accumulator stage as an RxJS operator over partial-sum tiles in block-major order (block b
 * outer, output tile j inner, the schedule `params.blocks` x `params.tilesPerBlock`). For each tile
 * it adds the partial sums into the running tile j (INT32 wrap-around for 'int32' partial sums,
 * ascending-position FP32 fold for 'fp32-terms': `accumulateInt32` / `accumulateFp32Terms`, the
 * actor's kernels) and emits it with the cycle model's cost, `iiCycles = accumulatorTileCycles(p, T, w)`
 * (T x ceil(w / lanes)) and `latencyCycles = accumulatorLatencyCycles(p)`.
 *
 * The output buffer (one running tile per output tile) lives in the subscription: each
 * subscriber gets its own. A tile out of schedule order, of the wrong numeric kind or beyond the
 * schedule's last block is an `AccumulatorError` on `error`. `numeric` picks the datapath and its
 * defaults ('int32': 512 lanes; 'fp32': 128 lanes, 3-cycle adder). Synchronous.
 *
 * ## Example
 * ```ts
 * psum$.pipe(accumulate({ blocks: 4, tilesPerBlock: 1 }), filter((t) => t.final))
 * // T = 1, w = 64: every firing iiCycles 1, latencyCycles 3 + 1 = 4; one final tile
 * ```
 */
export function accumulate(params: Partial<AccumulatorParams> = {}, numeric: AccumulatedTileMeta['numeric'] = 'int32'): OperatorFunction<TileToken<PsumTileMeta, PsumTile>, AccumulatorTile> {
  const p = resolveAccumulatorParams(params, numeric === 'int32' ? DEFAULT_INT32_ACCUMULATOR_PARAMS : DEFAULT_FP32_ACCUMULATOR_PARAMS);
  const latencyCycles = accumulatorLatencyCycles(p);
  const want = numeric === 'int32' ? 'int32' : 'fp32-terms';
  return (source: Observable<TileToken<PsumTileMeta, PsumTile>>) =>
    defer(() => {
      const buffer: (AccumulatedTile | undefined)[] = new Array<AccumulatedTile | undefined>(p.tilesPerBlock);
      let firing = 0;
      return source.pipe(
        map(({ meta: m, payload }): AccumulatorTile => {
          const b = Math.floor(firing / p.tilesPerBlock);
          const j = firing % p.tilesPerBlock;
          if (b >= p.blocks) throw new AccumulatorError(`accumulate: tile ${firing} is beyond the ${p.blocks} x ${p.tilesPerBlock} schedule`);
          if (m.block !== b || m.tile !== j) {
            throw new AccumulatorError(`accumulate: tile ${firing} should be block ${b}, tile ${j} of a ${p.blocks} x ${p.tilesPerBlock} schedule, got block ${m.block}, tile ${m.tile}`);
          }
          if (m.numeric !== want) throw new AccumulatorError(`accumulate: a ${numeric} accumulator got '${m.numeric}' partial sums`);
          if (payload.kind !== want) throw new AccumulatorError(`accumulate: tile ${firing} says '${m.numeric}' partial sums but carries a '${payload.kind}' payload`);
          const prev = buffer[j];
          const acc: AccumulatedTile =
            payload.kind === 'int32'
              ? { kind: 'int32', acc: accumulateInt32(payload.psum, prev?.kind === 'int32' ? prev.acc : undefined) }
              : { kind: 'fp32', y: accumulateFp32Terms(payload.terms, payload.positions, prev?.kind === 'fp32' ? prev.y : undefined) };
          const final = b === p.blocks - 1;
          buffer[j] = final ? undefined : acc;
          firing++;
          const meta: AccumulatedTileMeta = { kind: 'accumulated', numeric, op: m.op, tokens: m.tokens, tile: m.tile, tilesPerBlock: m.tilesPerBlock, outStart: m.outStart, outEnd: m.outEnd };
          return { meta, payload: acc, iiCycles: accumulatorTileCycles(p, m.tokens, m.outEnd - m.outStart), latencyCycles, final };
        }),
      );
    });
}
