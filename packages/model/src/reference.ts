import { kvWidth, validateQwen3Config, type Qwen3Config } from './config.js';
import { checkedApply, decoderLayerForward, type DecoderLayerOps } from './decoder-layer.js';
import { layerLinearWeights } from './fused-weights.js';
import { KvCache } from './kv-cache.js';
import { denseLinearFactory, type LinearFactory, type LinearOp } from './linear.js';
import { rmsNorm } from './ops/rms-norm.js';
import { linearShapes, type LinearName } from './shapes.js';
import { checkGlobalWeights, checkLayerWeights, type Qwen3WeightSource } from './weights.js';

export interface Qwen3ReferenceOptions {
  /** Builds each linear op (default: FP32 dense). The accelerator passes quantized LUT linears here. */
  readonly linearFactory?: LinearFactory;
}

interface LayerOps extends DecoderLayerOps {
  readonly cache: KvCache;
}

/**
 * The FP32 reference forward pass of Qwen3 (the yardstick the accelerator is checked against).
 * Written for clarity, not speed: embedding, then every decoder layer (see decoderLayerForward:
 * RMSNorm, fused QKV, per-head q/k RMSNorm, RoPE, causal GQA with the KV cache, O, residual,
 * RMSNorm, SwiGLU MLP, residual), then logits = lm_head(RMSNorm(x, model.norm)) (lm_head = embedding when tied).
 * The KV cache persists across calls: `prefill` then `decode` continue one sequence; `reset`
 * starts a new one. All weights are read from the source at construction.
 */
export class Qwen3Reference {
  readonly config: Qwen3Config;
  private readonly layerOps: LayerOps[] = [];
  private readonly embedTokens: Float32Array;
  private readonly finalNorm: Float32Array;
  private readonly lmHead: LinearOp;

  constructor(weights: Qwen3WeightSource, options: Qwen3ReferenceOptions = {}) {
    const cfg = validateQwen3Config(weights.config);
    this.config = cfg;
    const factory = options.linearFactory ?? denseLinearFactory;
    const shapes = new Map(linearShapes(cfg).map((s) => [s.name, s]));
    const build = (name: LinearName, layer: number | null, weight: Float32Array): LinearOp => {
      const s = shapes.get(name)!;
      const op = factory({ name, layer, inFeatures: s.inFeatures, outFeatures: s.outFeatures, weight });
      if (op.inFeatures !== s.inFeatures || op.outFeatures !== s.outFeatures) {
        const where = layer === null ? name : `layer ${layer} ${name}`;
        throw new RangeError(`${cfg.name}: linear factory built ${where} as ${op.inFeatures} -> ${op.outFeatures}, expected ${s.inFeatures} -> ${s.outFeatures}`);
      }
      return op;
    };
    for (let l = 0; l < cfg.layers; l++) {
      const w = weights.layer(l);
      checkLayerWeights(cfg, w, l);
      const lin = layerLinearWeights(cfg, w, l);
      this.layerOps.push({
        qkv: build('qkv', l, lin.qkv),
        o: build('o', l, lin.o),
        gateUp: build('gate_up', l, lin.gate_up),
        down: build('down', l, lin.down),
        inputNorm: w.inputNorm,
        postAttnNorm: w.postAttnNorm,
        qNorm: w.qNorm,
        kNorm: w.kNorm,
        cache: new KvCache(kvWidth(cfg)),
      });
    }
    const g = weights.globals();
    checkGlobalWeights(cfg, g);
    this.embedTokens = g.embedTokens;
    this.finalNorm = g.finalNorm;
    this.lmHead = build('lm_head', null, g.lmHead);
  }

  /** Number of positions in the KV cache (the position the next token will take). */
  get position(): number {
    return this.layerOps[0]!.cache.length;
  }

  /** Empties the KV cache of every layer. */
  reset(): void {
    for (const l of this.layerOps) l.cache.clear();
  }

  /** Runs the prompt (appending to the cache) and returns the logits of its last position, [vocab]. */
  prefill(tokenIds: ArrayLike<number>): Float32Array {
    return this.forward(tokenIds, false);
  }

  /** Like {@link prefill} but returns the logits of every position, [tokens][vocab]. */
  prefillAllLogits(tokenIds: ArrayLike<number>): Float32Array {
    return this.forward(tokenIds, true);
  }

  /** Runs one token at the next position and returns its logits, [vocab]. */
  decode(tokenId: number): Float32Array {
    return this.forward([tokenId], false);
  }

  private forward(tokenIds: ArrayLike<number>, allLogits: boolean): Float32Array {
    const cfg = this.config;
    const T = tokenIds.length;
    if (T === 0) throw new RangeError(`${cfg.name}: no tokens to run`);
    const start = this.position;
    if (start + T > cfg.maxPositionEmbeddings) {
      throw new RangeError(`${cfg.name}: positions up to ${start + T - 1} exceed maxPositionEmbeddings (${cfg.maxPositionEmbeddings})`);
    }
    const H = cfg.hidden;
    const x = new Float32Array(T * H);
    for (let t = 0; t < T; t++) {
      const id = tokenIds[t]!;
      if (!Number.isInteger(id) || id < 0 || id >= cfg.vocab) {
        throw new RangeError(`${cfg.name}: token id ${id} at index ${t} is out of range [0, ${cfg.vocab})`);
      }
      x.set(this.embedTokens.subarray(id * H, (id + 1) * H), t * H);
    }
    for (const layer of this.layerOps) decoderLayerForward(cfg, layer, x, T, layer.cache);

    const rows = allLogits ? T : 1;
    const last = x.subarray((T - rows) * H);
    const normed = rmsNorm(last, this.finalNorm, cfg.rmsNormEps);
    return checkedApply(this.lmHead, normed, rows, 'lm_head');
  }
}
