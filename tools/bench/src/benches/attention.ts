import { relativeMaxAbsError } from '@lut-llm/vq';
/**
 * Attention kernels at full size (issue 5): FlashAttention prefill of 512 tokens and FlashDecoding
 * decode at context 4096, Qwen3-1.7B heads (16 q / 8 KV, head dim 128), default tiles and chunks.
 * Accuracy is max |kernel - naive| / max |naive| against a float64 naive softmax(QK^T/sqrt(d))V;
 * wall times are best-of runs on this machine (the kernels emulate FP32 rounding step by step, so
 * they are slower than a plain float64 loop). Cycle figures come from the cycle models and one
 * engine run of a decode layer with and without the KV prefetch.
 */
import { attentionActor, attentionFiringCosts, attentionJobCycles, DEFAULT_ATTENTION_PARAMS, flashAttentionPrefill, flashDecode } from '@lut-llm/attention';
import { runGraph } from '@lut-llm/core';
import { buildDecodeLayerAttentionGraph, predictDecodeLayerAttention } from '@lut-llm/kv-prefetcher';
import type { Bench, BenchRow } from '../harness.js';
import { timeBestMs } from '../harness.js';

const { heads: H, kvHeads: KV, headDim: D } = DEFAULT_ATTENTION_PARAMS.shape;

function data(n: number, seed: number, scale: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 4294967296 - 0.5) * 2 * scale;
  });
}

/** Naive causal GQA attention in float64 (the obvious loops). */
function naive(q: Float32Array, k: Float32Array, v: Float32Array, queryStart: number): Float64Array {
  const T = q.length / (H * D);
  const out = new Float64Array(q.length);
  const s = new Float64Array(queryStart + T);
  for (let t = 0; t < T; t++) {
    const n = queryStart + t + 1;
    for (let h = 0; h < H; h++) {
      const g = Math.floor(h / (H / KV));
      let m = -Infinity;
      for (let j = 0; j < n; j++) {
        let dot = 0;
        for (let d = 0; d < D; d++) dot += q[(t * H + h) * D + d]! * k[(j * KV + g) * D + d]!;
        s[j] = dot / Math.sqrt(D);
        if (s[j]! > m) m = s[j]!;
      }
      let z = 0;
      for (let j = 0; j < n; j++) z += s[j] = Math.exp(s[j]! - m);
      const o = (t * H + h) * D;
      for (let j = 0; j < n; j++) {
        const p = s[j]! / z;
        for (let d = 0; d < D; d++) out[o + d] = out[o + d]! + p * v[(j * KV + g) * D + d]!;
      }
    }
  }
  return out;
}


const bench: Bench = {
  name: 'attention: FlashAttention prefill 512 and FlashDecoding decode 4096 vs naive FP64 (Qwen3-1.7B heads)',
  run(): BenchRow[] {
    const rows: BenchRow[] = [];
    const P = DEFAULT_ATTENTION_PARAMS;
    // Prefill: 512 tokens from position 0.
    {
      const T = 512;
      const q = data(T * H * D, 1, 1);
      const k = data(T * KV * D, 2, 1);
      const v = data(T * KV * D, 3, 1);
      let out: Float32Array = new Float32Array(0);
      let ref: Float64Array = new Float64Array(0);
      const kernelMs = timeBestMs(() => (out = flashAttentionPrefill(q, k, v, P)), 1);
      const naiveMs = timeBestMs(() => (ref = naive(q, k, v, 0)), 1);
      rows.push(
        { label: 'prefill 512: max-abs error / max |ref|', value: relativeMaxAbsError(ref, out), unit: '' },
        { label: 'prefill 512: FP32 flash kernel wall time', value: kernelMs, unit: 'ms' },
        { label: 'prefill 512: naive float64 wall time', value: naiveMs, unit: 'ms' },
        { label: 'prefill 512: cycle model (KV on chip)', value: attentionJobCycles(P, { layer: 0, phase: 'prefill', queryTokens: T, queryStart: 0 }), unit: 'cycles' },
      );
    }
    // Decode: one token at position 4095 (history 4095 + itself = context 4096).
    {
      const ctx = 4096;
      const q = data(H * D, 4, 1);
      const k = data(ctx * KV * D, 5, 1);
      const v = data(ctx * KV * D, 6, 1);
      let out: Float32Array = new Float32Array(0);
      let ref: Float64Array = new Float64Array(0);
      const kernelMs = timeBestMs(() => (out = flashDecode(q, k, v, P)), 3);
      const naiveMs = timeBestMs(() => (ref = naive(q, k, v, ctx - 1)), 3);
      rows.push(
        { label: 'decode 4096: max-abs error / max |ref|', value: relativeMaxAbsError(ref, out), unit: '' },
        { label: 'decode 4096: FP32 split-K kernel wall time', value: kernelMs, unit: 'ms' },
        { label: 'decode 4096: naive float64 wall time', value: naiveMs, unit: 'ms' },
        { label: 'decode 4096: cycle model (KV on chip)', value: attentionJobCycles(P, { layer: 0, phase: 'decode', queryTokens: 1, queryStart: ctx - 1 }), unit: 'cycles' },
      );
    }
    // One decode layer with the KV history streamed from HBM (kvRead: 2 channels), prefetch on / off.
    for (const context of [2048, 4095]) {
      const job = { layer: 0, phase: 'decode' as const, queryTokens: 1, queryStart: context };
      const cycles: Record<string, number> = {};
      for (const prefetch of [true, false]) {
        const built = buildDecodeLayerAttentionGraph({ layer: 0, context, prefetch, attention: attentionActor('attention', { ...P, jobs: [job] }) });
        const r = runGraph(built.graph);
        const predicted = predictDecodeLayerAttention(built.modelInput(attentionFiringCosts(P, job))).cycles;
        if (predicted !== r.cycles) throw new Error(`decode layer ctx ${context}: engine ${r.cycles} != model ${predicted}`);
        cycles[String(prefetch)] = r.cycles;
      }
      rows.push(
        { label: `decode layer, history ${context}: prefetch on (engine = model)`, value: cycles['true']!, unit: 'cycles' },
        { label: `decode layer, history ${context}: prefetch off (engine = model)`, value: cycles['false']!, unit: 'cycles' },
      );
    }
    return rows;
  },
};

export default bench;
