import { KvCacheImage, kvCacheLayout } from '@lut-llm/kv-prefetcher';
import { argmax, type QuantizedQwen3Model, type Qwen3Config, type Qwen3WeightSource } from '@lut-llm/model';
import { cosineSimilarity } from '@lut-llm/vq';
import { INLINE_LINEAR_EXECUTOR, LinearPool, type LinearTileExecutor } from '../functional/linear-pool.js';
import { V80_PLATFORM, type PlatformConfig } from '../platform/index.js';
import { runPassFunctional, type PassReport } from './run.js';

export interface FunctionalInferenceOptions {
  readonly model: Qwen3Config;
  /** Norm weights and embeddings (FP32). */
  readonly weights: Qwen3WeightSource;
  /** The co-quantized linear ops (every layer and the LM head). */
  readonly quantized: QuantizedQwen3Model;
  readonly platform?: PlatformConfig;
  readonly promptIds: readonly number[];
  /** Tokens generated greedily (the first comes out of prefill). */
  readonly outputTokens: number;
  /** Prompt tokens per prefill pass. Default: the whole prompt in one pass. */
  readonly prefillChunkTokens?: number;
  /** SwiGLU's SiLU: the reference design's 9-segment PWL (default) or exact. */
  readonly silu?: 'pwl9' | 'exact';
  readonly onProgress?: (done: number, total: number, label: string) => void;
  /**
   * Where the numbers are computed (issue 19). Omitted: inside the timing engine, kernels inline
   * in its firings. 0: as a stream outside the engine (`runPassStream`), kernels on this thread.
   * n >= 1: the same stream with LUTLinear tiles on a piscina pool of n workers (closed at the
   * end, also on failure). Logits and cycles are identical in every case.
   */
  readonly workers?: number;
  /** Output tiles per claim on the pool (`LinearPoolOptions.tilesPerClaim`). Default 1. */
  readonly tilesPerClaim?: number;
}

export interface FunctionalInferenceResult {
  /** Greedy tokens, in order. */
  readonly generated: readonly number[];
  /** The logits each generated token was chosen from. */
  readonly logits: readonly Float32Array[];
  /** Timing of every pass (prefill chunks, then decode steps). */
  readonly passes: readonly PassReport[];
}

/**
 * Runs a request through the emulated accelerator with real numbers: every pass is the same task
 * graph as in timing mode, with every stage's kernel computing (LUTLinear look-ups on the
 * co-quantized model, SFU, attention over the KV cache in HBM). New K/V are appended to the
 * KV image after each pass, as the KV writer's HBM writes complete.
 */
export async function runFunctionalInference(opts: FunctionalInferenceOptions): Promise<FunctionalInferenceResult> {
  const platform = opts.platform ?? V80_PLATFORM;
  const prompt = opts.promptIds;
  if (prompt.length < 1) throw new RangeError('functional inference: the prompt needs at least one token');
  if (!Number.isInteger(opts.outputTokens) || opts.outputTokens < 1) throw new RangeError(`outputTokens must be an integer >= 1, got ${opts.outputTokens}`);
  const chunk = opts.prefillChunkTokens ?? prompt.length;
  if (!Number.isInteger(chunk) || chunk < 1) throw new RangeError(`prefillChunkTokens must be an integer >= 1, got ${chunk}`);
  const w = opts.workers;
  if (w !== undefined && (!Number.isInteger(w) || w < 0)) throw new RangeError(`workers must be an integer >= 0, got ${w}`);
  const linear: LinearTileExecutor | undefined = w === undefined ? undefined : w === 0 ? INLINE_LINEAR_EXECUTOR : new LinearPool({ workers: w, ...(opts.tilesPerClaim !== undefined ? { tilesPerClaim: opts.tilesPerClaim } : {}) });
  try {
    return await generate(opts, platform, linear ? { linear } : {});
  } finally {
    await linear?.close();
  }
}

async function generate(opts: FunctionalInferenceOptions, platform: PlatformConfig, exec: { readonly linear?: LinearTileExecutor }): Promise<FunctionalInferenceResult> {
  const { model, weights, quantized } = opts;
  const prompt = opts.promptIds;
  const chunk = opts.prefillChunkTokens ?? prompt.length;
  const kvImage = new KvCacheImage(
    kvCacheLayout({ layers: model.layers, kvHeads: model.kvHeads, headDim: model.headDim, maxPositions: model.maxPositionEmbeddings, bytesPerElement: platform.dataFormats.kvBytesPerElement }),
  );
  const passes: PassReport[] = [];
  const generated: number[] = [];
  const logits: Float32Array[] = [];
  const chunks = Math.ceil(prompt.length / chunk);
  const total = chunks + opts.outputTokens - 1;
  let done = 0;
  const runOne = async (tokenIds: readonly number[], history: number, phase: 'prefill' | 'decode') => {
    const r = await runPassFunctional(
      { model, platform, tokens: tokenIds.length, history, phase, ...(opts.silu ? { silu: opts.silu } : {}), functional: { quantized, weights, tokenIds, kvImage } },
      exec,
    );
    for (const kv of r.newKv) kvImage.write(kv.layer, kv.positionStart, kv.k, kv.v);
    const { logits: l, newKv: _kv, ...report } = r;
    passes.push(report);
    opts.onProgress?.(++done, total, `${phase} at position ${history}`);
    return l;
  };
  let last: Float32Array | undefined;
  for (let c = 0; c < chunks; c++) last = await runOne(prompt.slice(c * chunk, (c + 1) * chunk), c * chunk, 'prefill');
  for (let s = 0; s < opts.outputTokens; s++) {
    logits.push(last!);
    const next = argmax(last!);
    generated.push(next);
    if (s + 1 < opts.outputTokens) last = await runOne([next], prompt.length + s, 'decode');
  }
  return { generated, logits, passes };
}

/** Agreement of two runs' logits, step by step. */
export interface LogitsAgreement {
  /** Cosine similarity per step. */
  readonly cosine: readonly number[];
  readonly meanCosine: number;
  readonly minCosine: number;
  /** Fraction of steps whose argmax agrees. */
  readonly top1Agreement: number;
}

export function compareLogits(test: readonly Float32Array[], reference: readonly Float32Array[]): LogitsAgreement {
  if (test.length !== reference.length || test.length === 0) throw new RangeError(`compareLogits: ${test.length} vs ${reference.length} steps`);
  const cosine = test.map((t, i) => cosineSimilarity(reference[i]!, t));
  const agree = test.filter((t, i) => argmax(t) === argmax(reference[i]!)).length;
  return {
    cosine,
    meanCosine: cosine.reduce((a, b) => a + b, 0) / cosine.length,
    minCosine: Math.min(...cosine),
    top1Agreement: agree / test.length,
  };
}
