import { relativeMaxAbsError } from '@lut-llm/vq';
import { describe, expect, it } from 'vitest';
import { QWEN3_1_7B_ATTENTION, type AttentionShape } from '@lut-llm/contracts';
import { naiveAttention } from './naive-attention.js';
import { attentionJobFp32, DEFAULT_ATTENTION_PARAMS, flashAttentionPrefill, flashDecode, resolveAttentionParams, type AttentionHardwareParams } from './index.js';

/** max |a - ref| / max |ref| (the error measure of the acceptance criterion), vq's metric. */
const relMaxAbs = (a: ArrayLike<number>, ref: ArrayLike<number>): number => relativeMaxAbsError(ref, a);

function rng(seed: number) {
  let s = seed >>> 0;
  const u = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return (n: number, scale = 1) => Float32Array.from({ length: n }, () => scale * (u() + u() + u() - 1.5) * 2);
}

const SMALL: AttentionShape = { heads: 4, kvHeads: 2, headDim: 16 };
/** Tiles and chunks that divide none of the lengths tested. */
const ODD_TILES: Partial<AttentionHardwareParams> = { queryTileRows: 5, kvTilePositions: 7, kvChunkPositions: 11 };

function data(shape: AttentionShape, T: number, context: number, seed: number, qScale = 1) {
  const r = rng(seed);
  return { q: r(T * shape.heads * shape.headDim, qScale), k: r(context * shape.kvHeads * shape.headDim), v: r(context * shape.kvHeads * shape.headDim) };
}

describe('FlashAttention prefill (tiled, online softmax, causal, GQA)', () => {
  const params = resolveAttentionParams({ shape: SMALL, ...ODD_TILES });
  it.each([1, 2, 3, 5, 7, 8, 13, 17, 31, 33, 50, 64])('%i tokens from position 0 match naive FP32 attention within 1e-5 (max-abs / max |ref|)', (T) => {
    const { q, k, v } = data(SMALL, T, T, 100 + T, 2);
    const out = flashAttentionPrefill(q, k, v, params);
    expect(relMaxAbs(out, naiveAttention(q, k, v, SMALL, 0))).toBeLessThan(1e-5);
  });

  it.each([
    [1, 1],
    [9, 23],
    [16, 40],
    [20, 44],
  ])('chunked prefill: %i tokens after a %i-position history (history in chunks of 11)', (T, start) => {
    const { q, k, v } = data(SMALL, T, start + T, 7 * T + start, 2);
    const out = flashAttentionPrefill(q, k, v, params, start);
    expect(relMaxAbs(out, naiveAttention(q, k, v, SMALL, start))).toBeLessThan(1e-5);
  });

  it('Qwen3-1.7B heads (16 q / 8 KV, head dim 128), 37 tokens, default tiles', () => {
    const { q, k, v } = data(QWEN3_1_7B_ATTENTION, 37, 37, 5, 0.5);
    const out = flashAttentionPrefill(q, k, v, DEFAULT_ATTENTION_PARAMS);
    expect(relMaxAbs(out, naiveAttention(q, k, v, QWEN3_1_7B_ATTENTION, 0))).toBeLessThan(1e-5);
  });

  it('is causal: changing the keys and values of later positions leaves earlier queries unchanged', () => {
    const T = 12;
    const { q, k, v } = data(SMALL, T, T, 3, 2);
    const a = flashAttentionPrefill(q, k, v, params);
    const row = SMALL.kvHeads * SMALL.headDim;
    const k2 = k.slice();
    const v2 = v.slice();
    for (let i = 6 * row; i < k2.length; i++) {
      k2[i] = k2[i]! + 5;
      v2[i] = v2[i]! - 3;
    }
    const b = flashAttentionPrefill(q, k2, v2, params);
    const qRow = SMALL.heads * SMALL.headDim;
    expect(b.subarray(0, 6 * qRow)).toEqual(a.subarray(0, 6 * qRow)); // tokens 0..5 see positions <= 5 only
    expect(relMaxAbs(b.subarray(6 * qRow), a.subarray(6 * qRow))).toBeGreaterThan(1e-2); // later ones see the change
  });

  it('maps query head h to KV head floor(h / (heads / kvHeads)) (a wrong mapping would be caught)', () => {
    const shape: AttentionShape = { heads: 4, kvHeads: 2, headDim: 8 };
    const T = 6;
    const { q, k, v } = data(shape, T, T, 11, 2);
    const out = flashAttentionPrefill(q, k, v, resolveAttentionParams({ shape, ...ODD_TILES }));
    // The alternative (interleaved) mapping h -> h % kvHeads: swap heads 1 and 2 of the queries.
    const qSwapped = q.slice();
    for (let t = 0; t < T; t++) {
      for (let d = 0; d < 8; d++) {
        qSwapped[(t * 4 + 1) * 8 + d] = q[(t * 4 + 2) * 8 + d]!;
        qSwapped[(t * 4 + 2) * 8 + d] = q[(t * 4 + 1) * 8 + d]!;
      }
    }
    const right = naiveAttention(q, k, v, shape, 0);
    expect(relMaxAbs(out, right)).toBeLessThan(1e-5);
    expect(relMaxAbs(naiveAttention(qSwapped, k, v, shape, 0), right)).toBeGreaterThan(1e-2);
  });

  it('large scores (q x 8) stay stable thanks to the running max', () => {
    const { q, k, v } = data(SMALL, 20, 20, 9, 8);
    expect(relMaxAbs(flashAttentionPrefill(q, k, v, params), naiveAttention(q, k, v, SMALL, 0))).toBeLessThan(1e-5);
  });
});

describe('FlashDecoding decode (split-K over history chunks, reduced at the end)', () => {
  it.each([1, 2, 7, 64, 65, 129, 300, 512])('context %i (Qwen3-1.7B heads, chunks of 64) matches naive FP32 attention within 1e-5', (context) => {
    const { q, k, v } = data(QWEN3_1_7B_ATTENTION, 1, context, 1000 + context, 0.5);
    const out = flashDecode(q, k, v, DEFAULT_ATTENTION_PARAMS);
    expect(relMaxAbs(out, naiveAttention(q, k, v, QWEN3_1_7B_ATTENTION, context - 1))).toBeLessThan(1e-5);
  });

  it.each([3, 37, 200])('context %i with chunks of 11 (not dividing) and a small shape', (context) => {
    const { q, k, v } = data(SMALL, 1, context, 77 + context, 3);
    const out = flashDecode(q, k, v, resolveAttentionParams({ shape: SMALL, ...ODD_TILES }));
    expect(relMaxAbs(out, naiveAttention(q, k, v, SMALL, context - 1))).toBeLessThan(1e-5);
  });
});

describe('bad input', () => {
  const params = resolveAttentionParams({ shape: SMALL, maxContextPositions: 32 });
  it('a context longer than the KV capacity is an error, not a wrong answer', () => {
    const { q, k, v } = data(SMALL, 1, 33, 1);
    expect(() => flashDecode(q, k, v, params)).toThrow(/needs 33 KV positions \(history 32 \+ 1 new\) but the KV capacity is 32 positions \(maxContextPositions\)/);
  });
  it('shape mismatches name the sizes', () => {
    const { q, k, v } = data(SMALL, 2, 5, 1);
    expect(() => attentionJobFp32({ layer: 0, phase: 'prefill', queryTokens: 2, queryStart: 3 }, q.subarray(1), k, v, params)).toThrow(/q has 127 values, expected 2 tokens x 4 heads x 16 = 128/);
    expect(() => attentionJobFp32({ layer: 0, phase: 'prefill', queryTokens: 2, queryStart: 3 }, q, k.subarray(32), v, params)).toThrow(/keys and values must be 5 positions x 32 = 160 values, got 128 and 160/);
    expect(() => attentionJobFp32({ layer: 0, phase: 'decode', queryTokens: 2, queryStart: 3 }, q, k, v, params)).toThrow(/a decode job has exactly 1 query token, got 2/);
    expect(() => resolveAttentionParams({ shape: { heads: 6, kvHeads: 4, headDim: 8 } })).toThrow(/heads \(6\) must be a multiple of kvHeads \(4\)/);
    expect(() => resolveAttentionParams({ queryTileRows: 0 })).toThrow(/queryTileRows must be an integer >= 1, got 0/);
  });
});

describe('sequential decode (decodeSplitK false: one online-softmax state, no split-K merge)', () => {
  it.each([1, 65, 300])('context %i matches naive FP32 attention within 1e-5, and split-K within 1e-5', (context) => {
    const { q, k, v } = data(QWEN3_1_7B_ATTENTION, 1, context, 2000 + context, 0.5);
    const seq = flashDecode(q, k, v, resolveAttentionParams({ decodeSplitK: false }));
    expect(relMaxAbs(seq, naiveAttention(q, k, v, QWEN3_1_7B_ATTENTION, context - 1))).toBeLessThan(1e-5);
    expect(relMaxAbs(seq, flashDecode(q, k, v, DEFAULT_ATTENTION_PARAMS))).toBeLessThan(1e-5);
  });
});
