import type { AccumulatedTile, AccumulatedTileMeta, OutputTile, OutputTileMeta, ScaleTile, ScaleTileMeta, StageTile, TileToken } from '@lut-llm/contracts';
import type { QuantizedLinear } from '@lut-llm/vq';
import { map, type OperatorFunction } from 'rxjs';
import { dequantizerLatencyCycles, dequantizerTileCycles } from './cycle-model.js';
import { dequantizeOutputTile } from './kernel.js';
import { DequantizerError, resolveDequantizerParams, type DequantizerParams } from './params.js';

/** One output tile to dequantize: its INT32 accumulated tile and its group's scales (e.g. from `zip(acc$, scales$)`). */
export type DequantizerInput = readonly [acc: TileToken<AccumulatedTileMeta, AccumulatedTile>, scales: TileToken<ScaleTileMeta, ScaleTile<QuantizedLinear>>];

/** What the operator emits per output tile: FP32 outputs [T][w] and the dequantizer's cost for the tile. */
export type DequantizerTile = StageTile<OutputTileMeta, OutputTile>;

/**
 * The dequantizer stage as an RxJS operator over output tiles: for each [INT32 accumulated tile,
 * scale tile] pair it computes y = (acc - zeroPoint * P) * scale (`dequantizeOutputTile`, the
 * actor's kernel) and emits the FP32 tile with the cycle model's cost,
 * `iiCycles = dequantizerTileCycles(p, T, w)` (T x ceil(w / 32)) and
 * `latencyCycles = dequantizerLatencyCycles(p)` (1 + 3 + 3 = 7). An FP32 tile or scales of another
 * tile is a `DequantizerError` on `error`. Synchronous, one element out per element in.
 *
 * ## Example
 * ```ts
 * zip(acc$, scales$).pipe(dequantize()) // T = 1, w = 512: iiCycles 16, latencyCycles 7 per tile
 * ```
 */
export function dequantize(params: Partial<DequantizerParams> = {}): OperatorFunction<DequantizerInput, DequantizerTile> {
  const p = resolveDequantizerParams(params);
  const latencyCycles = dequantizerLatencyCycles(p);
  return map(([acc, scales]): DequantizerTile => {
    const m = acc.meta;
    if (m.numeric !== 'int32' || acc.payload.kind !== 'int32') throw new DequantizerError(`dequantize: dequantizes INT32 tiles, got a '${m.numeric}' tile (tile ${m.tile})`);
    const s = scales.meta;
    if (s.outStart !== m.outStart || s.outEnd !== m.outEnd) {
      throw new DequantizerError(`dequantize: scales of outputs [${s.outStart}, ${s.outEnd}) paired with the tile of outputs [${m.outStart}, ${m.outEnd})`);
    }
    const meta: OutputTileMeta = { kind: 'output', op: m.op, tokens: m.tokens, tile: m.tile, tilesPerBlock: m.tilesPerBlock, outStart: m.outStart, outEnd: m.outEnd };
    const y = dequantizeOutputTile(scales.payload.layer, acc.payload.acc, m.tokens, m.outStart, m.outEnd);
    return { meta, payload: { y }, iiCycles: dequantizerTileCycles(p, m.tokens, m.outEnd - m.outStart), latencyCycles };
  });
}
