import { Rng } from '@lut-llm/vq';
import { lastValueFrom, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { KvCacheImage, QWEN3_1_7B_KV_LAYOUT, kvPrefetch } from './index.js';

/**
 * Qwen3-1.7B layout: 8 KV heads x 128 x FP32 = 4 KiB per position for K, as much for V: 8 KiB per
 * position. History 150 in chunks of 64: 64, 64, 22 positions = 524288, 524288, 180224 bytes; on
 * the 2 kvRead channels (64 B/cycle) 8192, 8192, 2816 cycles; readable 64 cycles (HBM read
 * latency) after the last byte. A prefetcher that fetches a full last chunk reads 64 positions
 * (524288 B, 8192 cycles) and fails here, as does one that reads past the written history.
 */
const row = QWEN3_1_7B_KV_LAYOUT.kvHeads * QWEN3_1_7B_KV_LAYOUT.headDim;
const rng = new Rng(12);
const image = new KvCacheImage(QWEN3_1_7B_KV_LAYOUT);
const kHist = Float32Array.from({ length: 150 * row }, () => rng.normal());
const vHist = Float32Array.from({ length: 150 * row }, () => rng.normal());
image.write(3, 0, kHist, vHist);

describe('kvPrefetch operator', () => {
  it('history 150 of layer 3: chunks 64, 64, 22 with the image values; bytes, transfer and ready cycles derived by hand', async () => {
    const out = await lastValueFrom(of({ layer: 3, historyPositions: 150 }).pipe(kvPrefetch({ image }), toArray()));
    expect(out.map((c) => [c.meta.positionStart, c.meta.positions, c.meta.chunk, c.meta.chunks, c.meta.last])).toEqual([
      [0, 64, 0, 3, false],
      [64, 64, 1, 3, false],
      [128, 22, 2, 3, true],
    ]);
    expect(out.map((c) => c.bytes)).toEqual([524288, 524288, 180224]);
    expect(out.map((c) => [c.iiCycles, c.latencyCycles])).toEqual([
      [8192, 8256],
      [8192, 8256],
      [2816, 2880],
    ]);
    expect(out[2]!.payload.k.length).toBe(22 * row);
    expect(Array.from(out[2]!.payload.k)).toEqual(Array.from(kHist.subarray(128 * row)));
    expect(Array.from(out[0]!.payload.v.subarray(0, 4))).toEqual(Array.from(vHist.subarray(0, 4)));
  });

  it('several jobs in one stream; a job without history emits nothing; wider channels shorten the transfer', async () => {
    const out = await lastValueFrom(of({ layer: 3, historyPositions: 64 }, { layer: 3, historyPositions: 0 }, { layer: 3, historyPositions: 1 }).pipe(kvPrefetch({ image, bytesPerCycle: 1024 }), toArray()));
    // 64 x 8192 B / 1024 = 512 cycles; 1 position: 8 cycles.
    expect(out.map((c) => [c.meta.index, c.meta.positions, c.iiCycles, c.latencyCycles])).toEqual([
      [0, 64, 512, 576],
      [1, 1, 8, 72],
    ]);
  });

  it('errors name the culprit: unwritten positions, a history past the reservation, a bad bandwidth', async () => {
    await expect(lastValueFrom(of({ layer: 3, historyPositions: 151 }).pipe(kvPrefetch({ image })))).rejects.toThrow(/layer 3 positions 128\.\.150 were not written \(cache holds 0\.\.149\)/);
    await expect(lastValueFrom(of({ layer: 3, historyPositions: 40960 }).pipe(kvPrefetch({ image })))).rejects.toThrow(/context needs 40961 KV positions/);
    expect(() => kvPrefetch({ image, bytesPerCycle: 0 })).toThrow(/bytesPerCycle must be an integer >= 1, got 0/);
  });

  it('README example: history 70 -> chunks of 64 and 6 positions; bytes and cycles as documented', () => {
    const image = new KvCacheImage(QWEN3_1_7B_KV_LAYOUT);
    const row = 8 * 128; // KV heads x head dim
    image.write(0, 0, new Float32Array(70 * row).fill(1), new Float32Array(70 * row).fill(2));
    const seen: number[][] = [];
    of({ layer: 0, historyPositions: 70 })
      .pipe(kvPrefetch({ image }))
      .subscribe((c) => seen.push([c.meta.positionStart, c.meta.positions, c.bytes, c.iiCycles, c.latencyCycles, c.payload.k.length, c.payload.v[0]!]));
    expect(seen).toEqual([
      [0, 64, 524288, 8192, 8256, 64 * row, 2],
      [64, 6, 49152, 768, 832, 6 * row, 2],
    ]);
  });
});
