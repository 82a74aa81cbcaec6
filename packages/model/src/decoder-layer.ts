import { kvWidth, qWidth, type Qwen3Config } from './config.js';
import { qkvSplit } from './fused-weights.js';
import type { KvCache } from './kv-cache.js';
import type { LinearOp } from './linear.js';
import { swiglu } from './ops/activations.js';
import { attention } from './ops/attention.js';
import { rmsNorm } from './ops/rms-norm.js';
import { applyRope } from './ops/rope.js';

/** What one decoder layer computes with: its four linear ops and its norm weights. */
export interface DecoderLayerOps {
  readonly qkv: LinearOp;
  readonly o: LinearOp;
  readonly gateUp: LinearOp;
  readonly down: LinearOp;
  readonly inputNorm: Float32Array;
  readonly postAttnNorm: Float32Array;
  readonly qNorm: Float32Array;
  readonly kNorm: Float32Array;
}

/**
 * One Qwen3 decoder layer on `tokens` new tokens, updating the residual stream `x`
 * ([tokens][hidden]) in place. The tokens take positions cache.length, cache.length + 1, ...;
 * their keys and values are appended to `cache`.
 *
 *   h = RMSNorm(x, input_layernorm)
 *   q, k, v = split(qkv(h));  q = RMSNorm_per_head(q, q_norm);  k = RMSNorm_per_head(k, k_norm)
 *   q, k = RoPE(q, k, positions);  cache.append(k, v)
 *   x = x + o(attention(q, cache.k, cache.v))                (causal, grouped-query)
 *   h = RMSNorm(x, post_attention_layernorm)
 *   x = x + down(silu(gate(h)) * up(h))
 */
export function decoderLayerForward(cfg: Qwen3Config, L: DecoderLayerOps, x: Float32Array, tokens: number, cache: KvCache): void {
  const T = tokens;
  if (x.length !== T * cfg.hidden) throw new RangeError(`${cfg.name}: residual stream has ${x.length} values, expected ${T} x ${cfg.hidden}`);
  const eps = cfg.rmsNormEps;
  const qW = qWidth(cfg);
  const kvW = kvWidth(cfg);
  const split = qkvSplit(cfg);
  const start = cache.length;
  const positions = Array.from({ length: T }, (_, t) => start + t);

  // Attention block.
  const h = rmsNorm(x, L.inputNorm, eps);
  const qkv = checkedApply(L.qkv, h, T, 'qkv');
  const q = new Float32Array(T * qW);
  const k = new Float32Array(T * kvW);
  const v = new Float32Array(T * kvW);
  for (let t = 0; t < T; t++) {
    const row = qkv.subarray(t * split.width, (t + 1) * split.width);
    q.set(row.subarray(split.q, split.k), t * qW);
    k.set(row.subarray(split.k, split.v), t * kvW);
    v.set(row.subarray(split.v, split.width), t * kvW);
  }
  rmsNorm(q, L.qNorm, eps, q); // per head: the weight has headDim values
  rmsNorm(k, L.kNorm, eps, k);
  applyRope(q, positions, cfg.heads, cfg.headDim, cfg.ropeTheta, q);
  applyRope(k, positions, cfg.kvHeads, cfg.headDim, cfg.ropeTheta, k);
  cache.append(k, v, T);
  const attn = attention(q, cache.keys, cache.values, cfg, start);
  const o = checkedApply(L.o, attn, T, 'o');
  for (let i = 0; i < x.length; i++) x[i] = x[i]! + o[i]!;

  // MLP block.
  const h2 = rmsNorm(x, L.postAttnNorm, eps);
  const gu = checkedApply(L.gateUp, h2, T, 'gate_up');
  const I = cfg.intermediate;
  const act = new Float32Array(T * I);
  for (let t = 0; t < T; t++) {
    const row = gu.subarray(t * 2 * I, (t + 1) * 2 * I);
    swiglu(row.subarray(0, I), row.subarray(I), act.subarray(t * I, (t + 1) * I));
  }
  const down = checkedApply(L.down, act, T, 'down');
  for (let i = 0; i < x.length; i++) x[i] = x[i]! + down[i]!;
}

/** Calls a linear op and checks that it returned [tokens][outFeatures] (a swapped-in op may not). */
export function checkedApply(op: LinearOp, x: Float32Array, tokens: number, name: string): Float32Array {
  const y = op.apply(x, tokens);
  if (!(y instanceof Float32Array) || y.length !== tokens * op.outFeatures) {
    throw new RangeError(`${name}: linear op returned ${(y as { length?: number } | undefined)?.length} values, expected tokens x outFeatures = ${tokens} x ${op.outFeatures}`);
  }
  return y;
}
