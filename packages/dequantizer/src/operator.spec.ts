import type { AccumulatedTile, AccumulatedTileMeta, ScaleTileMeta } from '@lut-llm/contracts';
import { Rng, dequantizeTile, synthesizeQuantizedLinear } from '@lut-llm/vq';
import { lastValueFrom, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { dequantize } from './index.js';

// Values against the hand formula: kernel.spec. Here: cycles and errors.
const q = synthesizeQuantizedLinear(100, 8, { groupSize: 100 }, new Rng(2));
const tile = { op: 'x', tokens: 3, tile: 0, tilesPerBlock: 1, outStart: 0, outEnd: 100 };
const acc = (numeric: 'int32' | 'fp32' = 'int32') => ({
  meta: { kind: 'accumulated', numeric, ...tile } as AccumulatedTileMeta,
  payload: (numeric === 'int32' ? { kind: 'int32', acc: Int32Array.from({ length: 300 }, (_, i) => i - 150) } : { kind: 'fp32', y: new Float32Array(300) }) as AccumulatedTile,
});
const scales = (outStart = 0) => ({ meta: { kind: 'scales', group: 0, ...tile, outStart } as ScaleTileMeta, payload: { layer: q } });

describe('dequantize operator', () => {
  it('T = 3, w = 100: II 3 x ceil(100 / 32) = 12, latency 1 + 3 + 3 = 7; 16 lanes: II 3 x 7 = 21', async () => {
    const [t] = await lastValueFrom(of([acc(), scales()] as const).pipe(dequantize(), toArray()));
    expect([t!.iiCycles, t!.latencyCycles]).toEqual([12, 7]);
    const want = new Float32Array(300);
    dequantizeTile(q, (acc().payload as { acc: Int32Array }).acc, 3, 0, 100, want);
    expect(Array.from(t!.payload.y)).toEqual(Array.from(want));
    const [n] = await lastValueFrom(of([acc(), scales()] as const).pipe(dequantize({ lanes: 16 }), toArray()));
    expect(n!.iiCycles).toBe(21);
  });

  it('output metadata; the width is outEnd - outStart (a tile [96, 100) of T = 3: II 3 x ceil(4 / 32) = 3)', async () => {
    const t4 = { ...tile, tile: 5, tilesPerBlock: 6, outStart: 96, outEnd: 100 };
    const a = { meta: { kind: 'accumulated', numeric: 'int32', ...t4 } as AccumulatedTileMeta, payload: { kind: 'int32', acc: new Int32Array(12) } as AccumulatedTile };
    const s = { meta: { kind: 'scales', group: 0, ...t4 } as ScaleTileMeta, payload: { layer: q } };
    const [t] = await lastValueFrom(of([a, s] as const).pipe(dequantize(), toArray()));
    expect(t!.meta).toEqual({ kind: 'output', op: 'x', tokens: 3, tile: 5, tilesPerBlock: 6, outStart: 96, outEnd: 100 });
    expect(t!.iiCycles).toBe(3);
  });

  it('errors: an FP32 tile, scales of another tile, a bad parameter', async () => {
    const fp32Payload = { ...acc(), payload: acc('fp32').payload };
    await expect(lastValueFrom(of([fp32Payload, scales()] as const).pipe(dequantize()))).rejects.toThrow(/dequantizes INT32 tiles/);
    const s = scales();
    await expect(lastValueFrom(of([acc(), { ...s, meta: { ...s.meta, outEnd: 99 } }] as const).pipe(dequantize()))).rejects.toThrow(/scales of outputs \[0, 99\) paired with the tile of outputs \[0, 100\)/);
    await expect(lastValueFrom(of([acc('fp32'), scales()] as const).pipe(dequantize()))).rejects.toThrow(/dequantizes INT32 tiles, got a 'fp32' tile \(tile 0\)/);
    await expect(lastValueFrom(of([acc(), scales(4)] as const).pipe(dequantize()))).rejects.toThrow(/scales of outputs \[4, 100\) paired with the tile of outputs \[0, 100\)/);
    expect(() => dequantize({ lanes: 0 })).toThrow(/lanes must be an integer >= 1, got 0/);
  });
});
