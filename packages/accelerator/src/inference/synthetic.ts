import { LAYER_LINEAR_NAMES, kvWidth, qWidth, type QuantizedQwen3Model, type Qwen3Config, type Qwen3GlobalWeights, type Qwen3LayerWeights, type Qwen3WeightSource } from '@lut-llm/model';
import { Rng, deriveSeed, resolveVqConfig, synthesizeQuantizedLinear, type QuantizedLinear, type VqConfig } from '@lut-llm/vq';

/**
 * A co-quantized model of any Qwen3 shape synthesized directly as codebooks, indices and tables
 * (vq's synthesizeQuantizedLinear: no FP32 weights, no k-means), for functional runs at full
 * size: the whole 1.7B model is ~2.6 GB of indices and tables, built in seconds per layer.
 * `shared`: the arrays live in SharedArrayBuffers, so worker threads read the weights in place
 * instead of receiving copies with every tile.
 */
export function synthesizeQuantizedQwen3(
  model: Qwen3Config,
  opts: {
    readonly vq?: Partial<VqConfig>;
    readonly seed?: number;
    readonly shared?: boolean;
    readonly layers?: number;
    /** Every layer uses layer 0's arrays (same cost to run, 1/layers the time to build): for speed benchmarks only. */
    readonly reuseFirstLayer?: boolean;
  } = {},
): QuantizedQwen3Model {
  const vq = resolveVqConfig(opts.vq ?? {});
  const seed = opts.seed ?? 1;
  const L = opts.layers ?? model.layers;
  const shapes: Record<(typeof LAYER_LINEAR_NAMES)[number], [number, number]> = {
    qkv: [qWidth(model) + 2 * kvWidth(model), model.hidden],
    o: [model.hidden, qWidth(model)],
    gate_up: [2 * model.intermediate, model.hidden],
    down: [model.hidden, model.intermediate],
  };
  const make = (M: number, D: number, ...ids: number[]): QuantizedLinear => {
    const q = synthesizeQuantizedLinear(M, D, vq, new Rng(deriveSeed(seed, ...ids)));
    return opts.shared ? shareQuantizedLinear(q) : q;
  };
  const opsOf = (l: number) => Object.fromEntries(LAYER_LINEAR_NAMES.map((name, k) => [name, make(...shapes[name], l, k)])) as Record<(typeof LAYER_LINEAR_NAMES)[number], QuantizedLinear>;
  const first = opts.reuseFirstLayer ? opsOf(0) : undefined;
  const layers = Array.from({ length: L }, (_, l) => ({ layer: l, ops: first ?? opsOf(l) }));
  return { config: model, vq, key: `synthetic:${seed}`, layers, lmHead: make(model.vocab, model.hidden, 1 << 20) };
}

/** The same layer with every array in a SharedArrayBuffer (copied into one; an array already in one is used in place). */
export function shareQuantizedLinear(q: QuantizedLinear): QuantizedLinear {
  const share = <T extends Float32Array | Uint8Array | Int8Array | Int32Array>(a: T, make: (b: SharedArrayBuffer) => T): T => {
    if (a.buffer instanceof SharedArrayBuffer) return a; // already shared: used in place
    const s = make(new SharedArrayBuffer(a.byteLength));
    s.set(a as never);
    return s;
  };
  return {
    ...q,
    actCodebooks: share(q.actCodebooks, (b) => new Float32Array(b)),
    weightCodebooks: share(q.weightCodebooks, (b) => new Float32Array(b)),
    weightIndices: share(q.weightIndices, (b) => new Uint8Array(b)),
    lut: share(q.lut, (b) => new Int8Array(b)),
    lutScale: share(q.lutScale, (b) => new Float32Array(b)),
    lutZeroPoint: share(q.lutZeroPoint, (b) => new Int32Array(b)),
  };
}

/**
 * Norm weights and embeddings only (what a functional pass reads besides the quantized linear
 * ops), for full-size synthetic runs: norms near 1, embedding rows drawn on demand. The FP32
 * projection matrices are empty: nothing in a pass reads them.
 */
export class SyntheticNormWeights implements Qwen3WeightSource {
  readonly sourceId: string;
  private globalsCache: Qwen3GlobalWeights | undefined;
  constructor(
    readonly config: Qwen3Config,
    readonly seed = 1,
  ) {
    this.sourceId = `synthetic-norms:${seed}`;
    this.filled = new Uint8Array(config.vocab);
  }

  private vector(n: number, ...ids: number[]): Float32Array {
    const rng = new Rng(deriveSeed(this.seed, ...ids));
    return Float32Array.from({ length: n }, () => 1 + 0.05 * rng.normal());
  }

  layer(index: number): Qwen3LayerWeights {
    const { hidden: H, headDim } = this.config;
    const empty = new Float32Array(0);
    return {
      qProj: empty,
      kProj: empty,
      vProj: empty,
      oProj: empty,
      gateProj: empty,
      upProj: empty,
      downProj: empty,
      inputNorm: this.vector(H, index, 1),
      postAttnNorm: this.vector(H, index, 2),
      qNorm: this.vector(headDim, index, 3),
      kNorm: this.vector(headDim, index, 4),
    };
  }

  /** Embedding row of a token, drawn on first use (functional passes read rows through this). */
  embeddingRow(tokenId: number): Float32Array {
    const { vocab, hidden: H } = this.config;
    if (!Number.isInteger(tokenId) || tokenId < 0 || tokenId >= vocab) throw new RangeError(`token id ${tokenId} is outside 0..${vocab - 1}`);
    const emb = this.globals().embedTokens;
    const row = emb.subarray(tokenId * H, (tokenId + 1) * H);
    if (!this.filled[tokenId]) {
      const rng = new Rng(deriveSeed(this.seed, 7, tokenId));
      for (let i = 0; i < H; i++) row[i] = 0.02 * rng.normal();
      this.filled[tokenId] = 1;
    }
    return row;
  }

  /**
   * Zero-filled [vocab][hidden] until rows are asked for through `embeddingRow`: the pages of
   * untouched rows are never committed, so the 1.7B model's 1.2 GB table costs only what is used.
   */
  globals(): Qwen3GlobalWeights {
    if (!this.globalsCache) {
      const { vocab, hidden: H } = this.config;
      const embedTokens = new Float32Array(vocab * H);
      this.globalsCache = { embedTokens, finalNorm: this.vector(H, 1 << 20), lmHead: embedTokens };
    }
    return this.globalsCache;
  }

  private readonly filled: Uint8Array;
}
