import { attention, resolveAttentionParams } from '@lut-llm/attention';
import { kvWidth, qWidth, validateQwen3Config, type Qwen3WeightSource } from '@lut-llm/model';
import type { QuantizedLinear } from '@lut-llm/vq';
import { resolveSfuParams, sfuKernel, type SfuStageParams } from '@lut-llm/sfu';
import { lastValueFrom, of } from 'rxjs';
import { resolveLutLinearConfig } from '../lut-linear/options.js';
import { stageOverrides } from '../platform/index.js';
import { LAYER_OPS, lutLinearOptionsFor, type PassData, type PassOptions } from '../inference/pass-graph.js';
import type { PassOutputs } from '../inference/run.js';
import type { LinearTileExecutor } from './linear-pool.js';
import { lutLinearTileStream } from './linear-stream.js';

/**
 * The functional half of a pass as a stream outside the timing engine (issue 19): the same ops,
 * in the same order, with the same kernels on the same tiles as the pass graph's functional
 * firings (buildPassGraph), so logits and new K/V are bit-identical to them; cycles come from a
 * timing-mode run of the same pass (values never steer control in this hardware).
 * LUTLinear ops go through `lutLinearTileStream` on `executor` (inline or a piscina pool); RMSNorm,
 * RoPE, SwiGLU and residual adds run `sfuKernel`, attention the `attention` operator with the
 * history read from the KV image in one piece (the operator cuts it into the prefetcher's
 * `kvChunkPositions` chunks, as the unit's firings do).
 */
export async function runPassStream(opts: PassOptions & { readonly functional: PassData }, executor: LinearTileExecutor): Promise<PassOutputs> {
  const { platform } = opts;
  const model = validateQwen3Config(opts.model);
  const fd = opts.functional;
  const variant = opts.variant ?? 'co-quant';
  const T = opts.tokens;
  const p0 = opts.history;
  const L = opts.layers ?? model.layers;
  const H = model.hidden;
  const I = model.intermediate;
  const hd = model.headDim;
  const qW = qWidth(model);
  const kvW = kvWidth(model);
  if (fd.tokenIds.length !== T) throw new RangeError(`pass: ${fd.tokenIds.length} token ids for a pass of ${T} tokens`);
  if (fd.quantized.layers.length < L || !fd.quantized.lmHead) throw new RangeError('pass: the quantized model must have every emulated layer and a quantized LM head');
  for (let l = 0; l < L; l++) {
    if (fd.kvImage.length(l) !== p0) throw new RangeError(`pass: the KV image of layer ${l} holds ${fd.kvImage.length(l)} positions, the pass needs a history of ${p0}`);
  }
  const sfuHw = resolveSfuParams({ ...(stageOverrides(platform, 'sfu') as object), rowsPerToken: T }, 'stream pass sfu');
  const meta = { rows: T, tokens: T, positionStart: p0 };
  const sfu = (op: SfuStageParams['op'], inputs: Record<string, Float32Array>): Float32Array => sfuKernel(op, sfuHw, inputs, meta);
  const linear = (layer: number, name: string, M: number, D: number, tokens: number, x: Float32Array): Promise<Float32Array> => {
    const q: QuantizedLinear = layer < 0 ? fd.quantized.lmHead! : fd.quantized.layers[layer]!.ops[name as (typeof LAYER_OPS)[number]];
    const who = layer < 0 ? name : `L${layer}.${name}`;
    if (q.outFeatures !== M || q.inFeatures !== D) throw new RangeError(`pass: quantized ${who} is ${q.outFeatures}x${q.inFeatures}, the model needs ${M}x${D}`);
    const cfg = resolveLutLinearConfig({ ...lutLinearOptionsFor(platform, name, M, D, tokens, variant), mode: 'functional' });
    return lutLinearTileStream(q, x, cfg, executor, who);
  };
  /** Columns [c0, c1) of each of the T rows of a [T][width] vector. */
  const cols = (x: Float32Array, width: number, c0: number, c1: number): Float32Array => {
    const out = new Float32Array(T * (c1 - c0));
    for (let t = 0; t < T; t++) out.set(x.subarray(t * width + c0, t * width + c1), t * (c1 - c0));
    return out;
  };
  const attnHw = resolveAttentionParams({ ...(stageOverrides(platform, 'attention') as object), shape: { heads: model.heads, kvHeads: model.kvHeads, headDim: hd } } as never, 'attention');

  // embedding rows of the new tokens
  const src = fd.weights as Qwen3WeightSource & { embeddingRow?: (id: number) => Float32Array };
  let hidden: Float32Array = new Float32Array(T * H);
  fd.tokenIds.forEach((id, t) => {
    if (!Number.isInteger(id) || id < 0 || id >= model.vocab) throw new RangeError(`pass: token id ${id} is outside 0..${model.vocab - 1}`);
    hidden.set(src.embeddingRow ? src.embeddingRow(id) : src.globals().embedTokens.subarray(id * H, (id + 1) * H), t * H);
  });
  const eps = model.rmsNormEps;
  const silu = opts.silu ?? 'pwl9';
  const newKv: PassOutputs['newKv'][number][] = [];
  for (let l = 0; l < L; l++) {
    const lw = fd.weights.layer(l);
    const xn = sfu({ kind: 'rms-norm', width: H, eps, weight: lw.inputNorm }, { in: hidden });
    const W3 = qW + 2 * kvW;
    const qkv = await linear(l, 'qkv', W3, H, T, xn);
    const qN = sfu({ kind: 'qk-norm', heads: model.heads, headDim: hd, eps, weight: lw.qNorm }, { in: cols(qkv, W3, 0, qW) });
    const kN = sfu({ kind: 'qk-norm', heads: model.kvHeads, headDim: hd, eps, weight: lw.kNorm }, { in: cols(qkv, W3, qW, qW + kvW) });
    const q = sfu({ kind: 'rope', heads: model.heads, headDim: hd, theta: model.ropeTheta }, { in: qN });
    const k = sfu({ kind: 'rope', heads: model.kvHeads, headDim: hd, theta: model.ropeTheta }, { in: kN });
    const v = cols(qkv, W3, qW + kvW, W3);
    newKv.push({ layer: l, positionStart: p0, k, v });
    const job = { layer: l, phase: opts.phase, queryTokens: T, queryStart: p0 };
    const attn = await lastValueFrom(
      of({ meta: job, payload: { q, k, v }, ...(p0 > 0 ? { history: fd.kvImage.readChunk(l, 0, p0) } : {}) }).pipe(attention(attnHw)),
    );
    const o = await linear(l, 'o', H, qW, T, attn.payload);
    const h1 = sfu({ kind: 'residual-add', width: H }, { in: o, residual: hidden });
    const xn2 = sfu({ kind: 'rms-norm', width: H, eps, weight: lw.postAttnNorm }, { in: h1 });
    const gu = await linear(l, 'gate_up', 2 * I, H, T, xn2);
    const act = sfu({ kind: 'swiglu', width: I, silu }, { gate: cols(gu, 2 * I, 0, I), up: cols(gu, 2 * I, I, 2 * I) });
    const d = await linear(l, 'down', H, I, T, act);
    hidden = sfu({ kind: 'residual-add', width: H }, { in: d, residual: h1 });
  }
  const xf = sfu({ kind: 'rms-norm', width: H, eps, weight: fd.weights.globals().finalNorm }, { in: hidden });
  const logits = await linear(-1, 'lm_head', model.vocab, H, 1, xf.slice((T - 1) * H, T * H));
  return { logits, newKv };
}
