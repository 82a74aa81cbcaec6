import type { PsumTile, PsumTileMeta } from '@lut-llm/contracts';
import { filter, from, lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { accumulate } from './index.js';

const meta = (b: number, j: number, numeric: PsumTileMeta['numeric'] = 'int32', tokens = 2, w = 4): PsumTileMeta => ({
  kind: 'psum', numeric, op: 'x', tokens, block: b, blocks: 3, posStart: 16 * b, posEnd: 16 * b + 16, tile: j, tilesPerBlock: 2, outStart: w * j, outEnd: w * j + w,
});
const int32 = (b: number, j: number, values: number[]) => ({ meta: meta(b, j), payload: { kind: 'int32', psum: Int32Array.from(values) } as PsumTile });

// 3 blocks x 2 tiles of T = 2 tokens x 4 outputs; tile j of block b holds (b + 1) * (j + 1) * [1..8].
const ramp = [1, 2, 3, 4, 5, 6, 7, 8];
const tiles = [0, 1, 2].flatMap((b) => [0, 1].map((j) => int32(b, j, ramp.map((x) => (b + 1) * (j + 1) * x))));

describe('accumulate operator', () => {
  it("INT32: every firing emits its running tile; the last block's are final and hold the sum over blocks (1 + 2 + 3 = 6 times the ramp)", async () => {
    const all = await lastValueFrom(from(tiles).pipe(accumulate({ blocks: 3, tilesPerBlock: 2 }), toArray()));
    expect(all.map((t) => [t.meta.tile, t.final])).toEqual([
      [0, false], [1, false], [0, false], [1, false], [0, true], [1, true],
    ]);
    expect(all.map((t) => (t.payload.kind === 'int32' ? Array.from(t.payload.acc) : []))).toEqual([
      ramp, ramp.map((x) => 2 * x), ramp.map((x) => 3 * x), ramp.map((x) => 6 * x), ramp.map((x) => 6 * x), ramp.map((x) => 12 * x),
    ]);
    // II = T x ceil(4 / 512) = 2; latency = URAM read 3 + ceil(log2(1 + 1)) x 1 = 4.
    expect(all.map((t) => [t.iiCycles, t.latencyCycles])).toEqual(Array(6).fill([2, 4]));
    expect(all[5]!.meta).toEqual({ kind: 'accumulated', numeric: 'int32', op: 'x', tokens: 2, tile: 1, tilesPerBlock: 2, outStart: 4, outEnd: 8 });
  });

  it('INT32 wraps around like the hardware adder: 2^31 - 1 + 1 = -2^31', async () => {
    const psum = (b: number, x: number) => ({ meta: { ...meta(b, 0), blocks: 2, tilesPerBlock: 1, tokens: 1, outEnd: 1 }, payload: { kind: 'int32', psum: Int32Array.of(x) } as PsumTile });
    const [t] = await lastValueFrom(from([psum(0, 2 ** 31 - 1), psum(1, 1)]).pipe(accumulate({ blocks: 2 }), filter((x) => x.final), toArray()));
    expect(t!.payload.kind === 'int32' && t!.payload.acc[0]).toBe(-(2 ** 31));
  });

  it('FP32 terms fold in ascending position order (1e8 + 1 - 1e8 = 0 in FP32, not 1); 128 lanes, latency 3 + 3 = 6', async () => {
    const terms = (b: number, values: number[]) => ({
      meta: { ...meta(b, 0, 'fp32-terms', 1, 1), blocks: 2, tilesPerBlock: 1 },
      payload: { kind: 'fp32-terms', positions: values.length, terms: Float32Array.from(values) } as PsumTile,
    });
    const all = await lastValueFrom(from([terms(0, [1e8, 1]), terms(1, [-1e8])]).pipe(accumulate({ blocks: 2 }, 'fp32'), toArray()));
    expect(all.map((t) => (t.payload.kind === 'fp32' ? t.payload.y[0] : NaN))).toEqual([1e8, 0]);
    expect(all.map((t) => [t.iiCycles, t.latencyCycles, t.final])).toEqual([
      [1, 6, false],
      [1, 6, true],
    ]);
  });

  it('each subscription has its own output buffer', async () => {
    const shared = from(tiles).pipe(accumulate({ blocks: 3, tilesPerBlock: 2 }), filter((t) => t.final), toArray());
    const [a, b] = [await lastValueFrom(shared), await lastValueFrom(shared)];
    expect(b.map((t) => (t.payload.kind === 'int32' ? t.payload.acc[0] : 0))).toEqual(a.map((t) => (t.payload.kind === 'int32' ? t.payload.acc[0] : 0)));
    expect(a.map((t) => (t.payload.kind === 'int32' ? t.payload.acc[0] : 0))).toEqual([6, 12]);
  });

  it('errors: a tile out of schedule order, a tile past the last block, FP32 terms into the INT32 datapath', async () => {
    const run = (xs: typeof tiles, numeric: 'int32' | 'fp32' = 'int32') => lastValueFrom(from(xs).pipe(accumulate({ blocks: 3, tilesPerBlock: 2 }, numeric), toArray()));
    await expect(run([tiles[1]!, tiles[0]!])).rejects.toThrow(/tile 0 should be block 0, tile 0 of a 3 x 2 schedule, got block 0, tile 1/);
    await expect(run([...tiles, tiles[0]!])).rejects.toThrow(/tile 6 is beyond the 3 x 2 schedule/);
    await expect(run(tiles, 'fp32')).rejects.toThrow(/a fp32 accumulator got 'int32' partial sums/);
  });
});
