import { type LinearVariant, LINEAR_VARIANTS } from '@lut-llm/contracts';
import { GraphBuilder, resourceGroup, sinkActor, type ActorSpec, type Graph, type StreamRef, type TokenMeta } from '@lut-llm/core';
import { KvCacheImage, kvCacheLayout, kvWriterActor, kvWriterWidthBytes, DEFAULT_KV_WRITER_PARAMS } from '@lut-llm/kv-prefetcher';
import { hbmChannelGroup, kvCacheChannelGroup, type HbmStream } from '@lut-llm/memory';
import { kvWidth, qWidth, validateQwen3Config, type QuantizedQwen3Model, type Qwen3Config, type Qwen3WeightSource } from '@lut-llm/model';
import { sfuActor, type SfuStageParams } from '@lut-llm/sfu';
import { fifoDepth, platformHbmConfig, stageOverrides, type PlatformConfig } from '../platform/index.js';
import { hbmReaderActor, hbmWriterActor } from '../lut-linear/hbm-actors.js';
import { GO_TOKEN_BYTES, installLutLinearOp, type LutLinearLoader } from '../lut-linear/graph.js';
import { hbmStreamsOf, resolveLutLinearConfig, type LutLinearConfig } from '../lut-linear/options.js';
import { writerOnKvGroup, groupChannelNames } from './kv-channels.js';
import { glue, installAttentionUnit } from './pass-attention.js';
import { checkPassPlatform, lutLinearOptionsFor, stagePluginOf, LUT_LINEAR_FIFO_NAMES } from './pass-platform.js';

export { checkPassPlatform, lutLinearOptionsFor, PASS_STAGES } from './pass-platform.js';

/** One pass of the accelerator over the model: a prefill chunk (T tokens) or a decode step (T = 1). */
export interface PassOptions {
  readonly model: Qwen3Config;
  readonly platform: PlatformConfig;
  readonly variant?: LinearVariant;
  /** Tokens processed together: 1 for a decode step, the chunk size for prefill. */
  readonly tokens: number;
  /** Positions already in the KV cache (the first new token's position). */
  readonly history: number;
  /** 'prefill' or 'decode' (attention algorithm: online-softmax tiles vs split-K). */
  readonly phase: 'prefill' | 'decode';
  /** Prefetch each layer's KV history while LUTLinear works (DESIGN.md 1.2 item 7). Default true. */
  readonly prefetch?: boolean;
  /** Layers to emulate (default all): fewer for quick studies; the LM head always runs. */
  readonly layers?: number;
  /** SiLU of the SwiGLU unit: the reference design's 9-segment piecewise-linear one, or exact. Default 'pwl9'. */
  readonly silu?: 'pwl9' | 'exact';
  /** Functional mode: the data the kernels compute on. Omitted: timing only (payloads are shapes). */
  readonly functional?: PassData;
}

/** What a functional pass computes on. */
export interface PassData {
  /** The co-quantized linear ops of every layer and the LM head. */
  readonly quantized: QuantizedQwen3Model;
  /** Norm weights and embeddings. */
  readonly weights: Qwen3WeightSource;
  /** The T new tokens. */
  readonly tokenIds: readonly number[];
  /** HBM contents of the KV cache (history positions 0 .. history - 1 of every layer); read only during the pass. */
  readonly kvImage: KvCacheImage;
}

/** The pass graph and what its report needs. */
export interface PassGraph {
  readonly graph: Graph;
  /** HBM resource names by stream (the KV streams: their group's name; its channels are `kvChannels`). */
  readonly hbmResources: Readonly<Partial<Record<HbmStream, string>>>;
  /** The KV-cache channels (resources `hbm.kv[0]` ..): shared by the history reads and the new K/V writes. */
  readonly kvChannels: readonly string[];
  /** Linear ops in execution order, with their resolved configuration. */
  readonly linearOps: readonly { readonly prefix: string; readonly name: string; readonly layer: number; readonly cfg: LutLinearConfig }[];
  readonly layers: number;
}

/**
 * Marker sinks for the report's per-layer cycles: `L<l>.layer-start` receives a token when layer l
 * takes its input (its fork), `lm-head-start` when the last token enters the LM head. A marker
 * is written in the same firing as the data and drained at once, so it never stalls anything.
 */
export const LAYER_START_PROBE = 'layer-start';
export const LM_HEAD_START_PROBE = 'lm-head-start';
const PROBE_BYTES = 4;

/** Name prefix of the one LUTLinear unit's on-chip banks, shared by every op of the pass (`lut-linear.lut-psum.table`). */
export const LUT_LINEAR_UNIT_PREFIX = 'lut-linear.';

/** The LUTLinear ops of a layer, in the order the unit runs them (DESIGN.md 1.3). */
export const LAYER_OPS = ['qkv', 'o', 'gate_up', 'down'] as const;

/**
 * Builds the task graph of one pass (DESIGN.md 1.2-1.3): per layer, RMSNorm -> QKV -> q/k
 * RMSNorm and RoPE -> attention (one shared unit, fed by the KV prefetcher) -> O -> residual ->
 * RMSNorm -> gate/up -> SwiGLU -> down -> residual; then the final RMSNorm and the LM head on
 * the last token. The linear ops are LUTLinear subgraphs whose HBM loaders form one chain per
 * stream (one streaming engine serving the ops in turn, as the single LUTLinear unit runs them
 * in rounds); their inputs and outputs are on-chip vector streams into and out of the SFU and
 * attention units. Timing mode: payloads are shapes only.
 */
export function buildPassGraph(opts: PassOptions): PassGraph {
  const { platform } = opts;
  const model = validateQwen3Config(opts.model);
  checkPassPlatform(platform);
  const variant = opts.variant ?? 'co-quant';
  if (!LINEAR_VARIANTS.includes(variant)) throw new RangeError(`pass: variant must be one of ${LINEAR_VARIANTS.join(', ')}, got '${String(variant)}'`);
  if (opts.prefetch !== undefined && typeof opts.prefetch !== 'boolean') throw new RangeError(`pass: prefetch must be true or false, got ${JSON.stringify(opts.prefetch)}`);
  const T = opts.tokens;
  const p0 = opts.history;
  if (!Number.isInteger(T) || T < 1) throw new RangeError(`pass: tokens must be an integer >= 1, got ${T}`);
  if (!Number.isInteger(p0) || p0 < 0) throw new RangeError(`pass: history must be an integer >= 0, got ${p0}`);
  const L = opts.layers ?? model.layers;
  if (!Number.isInteger(L) || L < 1 || L > model.layers) throw new RangeError(`pass: layers must be an integer in 1..${model.layers}, got ${L}`);
  if (p0 + T > model.maxPositionEmbeddings) throw new RangeError(`pass: positions up to ${p0 + T} exceed the model's ${model.maxPositionEmbeddings}`);
  const H = model.hidden;
  const I = model.intermediate;
  const hd = model.headDim;
  const qW = qWidth(model);
  const kvW = kvWidth(model);
  const g = new GraphBuilder(`${model.name} ${opts.phase} T=${T} at position ${p0} (${variant})`);
  const depth = (name: string) => fifoDepth(platform, name);

  // ---- shared resources: HBM channel groups. Each stream of the LUTLinear unit has its own
  // ports in the as-built design (README "Who shares what"); the KV cache's K and V ports carry
  // both the history reads and the new K/V writes: one interleaved group shared by both.
  const hbmCfg = platformHbmConfig(platform);
  const hbmResources: Partial<Record<HbmStream, string>> = {};
  for (const s of hbmStreamsOf(variant)) {
    const r = hbmChannelGroup(s, hbmCfg);
    g.resource(r);
    hbmResources[s] = r.name;
  }
  const kvGroup = kvCacheChannelGroup(hbmCfg);
  for (const r of resourceGroup(kvGroup)) g.resource(r);
  hbmResources.kvRead = kvGroup.name;
  hbmResources.kvWrite = kvGroup.name;

  // ---- SFU ops (one actor per op instance; a vector token is T rows)
  const sfuHw = { ...stageOverrides(platform, 'sfu'), rowsPerToken: T } as Partial<SfuStageParams>;
  // Vector streams are declared T x width x 4 bytes wide, which is sfuPortWidth at rowsPerToken = T.
  const sfuPlugin = stagePluginOf(platform, 'sfu');
  const sfu = (name: string, op: SfuStageParams['op']): { spec: ActorSpec } => ({
    spec: sfuPlugin ? sfuPlugin.plugin.actor!(name, sfuPlugin.plugin.resolve({ ...sfuPlugin.overrides, rowsPerToken: T, op })) : sfuActor(name, { ...sfuHw, op } as SfuStageParams),
  });
  const rowBytes = (width: number) => T * width * 4;
  const vec = (name: string, width: number) => g.stream(name, { depth: depth(name), widthBytes: rowBytes(width) });
  const vecMeta = (extra: Record<string, unknown> = {}): TokenMeta => ({ rows: T, tokens: T, positionStart: p0, ...extra });

  // ---- linear ops: one loader chain per HBM stream
  const linearOps: { prefix: string; name: string; layer: number; cfg: LutLinearConfig }[] = [];
  const loaders: LutLinearLoader[] = variant === 'co-quant' ? ['weights', 'centroids', 'scales'] : variant === 'activation-only' ? ['weights', 'centroids'] : ['weights'];
  let prevGo: Partial<Record<LutLinearLoader, StreamRef>> = {};
  const linear = (layer: number, name: string, outFeatures: number, inFeatures: number, tokens: number, input: StreamRef, output: StreamRef) => {
    const prefix = layer < 0 ? `${name}.` : `L${layer}.${name}.`;
    const cfg = resolveLutLinearConfig({
      ...lutLinearOptionsFor(platform, name, outFeatures, inFeatures, tokens, variant),
      ...(fd ? { mode: 'functional' as const } : {}),
    });
    const isLast = layer < 0;
    const goOut: Partial<Record<LutLinearLoader, StreamRef>> = {};
    if (!isLast) for (const k of loaders) goOut[k] = g.stream(`${prefix}${k}-go`, { depth: 1, widthBytes: GO_TOKEN_BYTES });
    const q = fd ? (layer < 0 ? fd.quantized.lmHead! : fd.quantized.layers[layer]!.ops[name as (typeof LAYER_OPS)[number]]) : undefined;
    if (q && (q.outFeatures !== outFeatures || q.inFeatures !== inFeatures)) {
      throw new RangeError(`pass: quantized ${prefix}${name} is ${q.outFeatures}x${q.inFeatures}, the model needs ${outFeatures}x${inFeatures}`);
    }
    installLutLinearOp(g, {
      cfg,
      data: q ? { layer: q, x: new Float32Array(0) } : undefined,
      hbmResources,
      prefix,
      input: { stream: input, widthBytes: tokens * inFeatures * 4 },
      output: { stream: output, widthBytes: tokens * outFeatures * 4 },
      goIn: prevGo,
      goOut,
      unitPrefix: LUT_LINEAR_UNIT_PREFIX,
    });
    prevGo = goOut;
    linearOps.push({ prefix, name, layer, cfg });
  };

  const fd = opts.functional;
  if (fd) {
    if (fd.tokenIds.length !== T) throw new RangeError(`pass: ${fd.tokenIds.length} token ids for a pass of ${T} tokens`);
    if (fd.quantized.layers.length < L || !fd.quantized.lmHead) throw new RangeError('pass: the quantized model must have every emulated layer and a quantized LM head');
    for (let l = 0; l < L; l++) {
      if (fd.kvImage.length(l) !== p0) throw new RangeError(`pass: the KV image of layer ${l} holds ${fd.kvImage.length(l)} positions, the pass needs a history of ${p0}`);
    }
  }
  const pass = (ins: Readonly<Record<string, unknown>>) => ({ a: ins['in'], b: ins['in'] });
  /** Columns [c0, c1) of each of the T rows of a [T][width] vector. */
  const cols = (x: Float32Array, width: number, c0: number, c1: number): Float32Array => {
    const w = c1 - c0;
    const out = new Float32Array(T * w);
    for (let t = 0; t < T; t++) out.set(x.subarray(t * width + c0, t * width + c1), t * w);
    return out;
  };

  // ---- attention unit (shared by all layers) and the KV prefetcher
  const layout = kvCacheLayout({ layers: model.layers, kvHeads: model.kvHeads, headDim: hd, maxPositions: model.maxPositionEmbeddings, bytesPerElement: platform.dataFormats.kvBytesPerElement });
  const attention = installAttentionUnit(g, {
    model,
    platform,
    phase: opts.phase,
    layers: L,
    tokens: T,
    history: p0,
    prefetch: opts.prefetch ?? true,
    layout,
    kvGroup,
    kvImage: fd?.kvImage,
    functional: fd !== undefined,
    depth,
  });
  const { qIns, outs, triggers } = attention;
  const attnWidths = attention.widths;

  // ---- embedding: the new tokens' rows read from HBM (input channels)
  let hidden = vec('embedding.out', H);
  g.invoke(
    hbmReaderActor({
      name: 'embedding',
      resource: hbmResources.input!,
      widthBytes: rowBytes(H),
      count: 1,
      latencyCycles: platform.hbm.readLatencyCycles,
      bytes: () => T * H * platform.dataFormats.activationBytesPerElement,
      meta: () => vecMeta({ op: 'embedding' }),
      ...(fd
        ? {
            payload: () => {
              const src = fd.weights as Qwen3WeightSource & { embeddingRow?: (id: number) => Float32Array };
              const x = new Float32Array(T * H);
              fd.tokenIds.forEach((id, t) => {
                if (!Number.isInteger(id) || id < 0 || id >= model.vocab) throw new RangeError(`pass: token id ${id} is outside 0..${model.vocab - 1}`);
                x.set(src.embeddingRow ? src.embeddingRow(id) : src.globals().embedTokens.subarray(id * H, (id + 1) * H), t * H);
              });
              return x;
            },
          }
        : {}),
    }),
    { out: { out: hidden } },
  );

  const eps = model.rmsNormEps;
  const writerParams = { ...DEFAULT_KV_WRITER_PARAMS, layout, writeResource: kvGroup.name, writeLatencyCycles: platform.hbm.readLatencyCycles };
  const silu = opts.silu ?? 'pwl9';
  for (let l = 0; l < L; l++) {
    const P = `L${l}.`;
    const lw = fd ? fd.weights.layer(l) : undefined;
    // residual 1: fork the layer input
    const xa = vec(`${P}attn-in`, H);
    const skip1 = vec(`${P}skip1`, H);
    // `probe`: a marker token to a sink when the layer's input is taken (per-layer cycles in the report).
    const startProbe = g.stream(`${P}${LAYER_START_PROBE}`, { depth: 2, widthBytes: PROBE_BYTES });
    g.invoke(
      glue(`${P}fork-in`, { in: rowBytes(H) }, { a: rowBytes(H), b: rowBytes(H), probe: PROBE_BYTES }, (f) => ({ a: f['in']!, b: f['in']!, probe: { layer: l } }), fd ? (ins) => ({ ...pass(ins), probe: 0 }) : undefined),
      { in: { in: hidden }, out: { a: xa, b: skip1, probe: startProbe } },
    );
    g.invoke(sinkActor({ name: `${P}${LAYER_START_PROBE}`, widthBytes: PROBE_BYTES }), { in: { in: startProbe } });
    const xn = vec(`${P}attn-norm.out`, H);
    g.invoke(sfu(`${P}attn-norm`, { kind: 'rms-norm', width: H, eps, ...(lw ? { weight: lw.inputNorm } : {}) }).spec, { in: { in: xa }, out: { out: xn } });
    const qkvOut = vec(`${P}qkv.out`, qW + 2 * kvW);
    linear(l, 'qkv', qW + 2 * kvW, H, T, xn, qkvOut);
    // split q, k, v (q and k get their own RMSNorm and RoPE); trigger an on-demand KV read
    const qS = vec(`${P}q`, qW);
    const kS = vec(`${P}k`, kvW);
    const vS = vec(`${P}v`, kvW);
    const splitOuts: Record<string, number> = { q: rowBytes(qW), k: rowBytes(kvW), v: rowBytes(kvW) };
    const splitBind: Record<string, StreamRef> = { q: qS, k: kS, v: vS };
    if (triggers[l]) {
      splitOuts['trigger'] = 4;
      splitBind['trigger'] = triggers[l]!;
    }
    const W3 = qW + 2 * kvW;
    g.invoke(
      glue(
        `${P}qkv-split`,
        { in: rowBytes(W3) },
        splitOuts,
        (f) => {
          const m = { ...f['in']!, positionStart: p0 };
          return { q: m, k: m, v: m, ...(triggers[l] ? { trigger: { layer: l } } : {}) };
        },
        fd
          ? (ins) => {
              const x = ins['in'] as Float32Array;
              return { q: cols(x, W3, 0, qW), k: cols(x, W3, qW, qW + kvW), v: cols(x, W3, qW + kvW, W3), ...(triggers[l] ? { trigger: 0 } : {}) };
            }
          : undefined,
      ),
      { in: { in: qkvOut }, out: splitBind },
    );
    const rotated: StreamRef[] = [];
    for (const [name, heads, width, src, normW] of [
      ['q', model.heads, qW, qS, lw?.qNorm],
      ['k', model.kvHeads, kvW, kS, lw?.kNorm],
    ] as const) {
      const normed = vec(`${P}${name}-norm.out`, width);
      g.invoke(sfu(`${P}${name}-norm`, { kind: 'qk-norm', heads, headDim: hd, eps, ...(normW ? { weight: normW } : {}) }).spec, { in: { in: src }, out: { out: normed } });
      const rot = vec(`${P}${name}-rope.out`, width);
      g.invoke(sfu(`${P}${name}-rope`, { kind: 'rope', heads, headDim: hd, theta: model.ropeTheta }).spec, { in: { in: normed }, out: { out: rot } });
      rotated.push(rot);
    }
    // join q, k, v into the attention unit's q token; the new K/V go to HBM
    const kvNew = g.stream(`${P}kv-new`, { depth: depth(`${P}kv-new`), widthBytes: kvWriterWidthBytes(writerParams, T) });
    g.invoke(
      glue(
        `${P}attention-join`,
        { q: rowBytes(qW), k: rowBytes(kvW), v: rowBytes(kvW) },
        { q: attnWidths['q']!, kv: kvWriterWidthBytes(writerParams, T) },
        () => ({ q: { layer: l, phase: opts.phase, queryTokens: T, queryStart: p0 }, kv: { layer: l, positionStart: p0, positions: T } }),
        fd ? (ins) => ({ q: { q: ins['q'], k: ins['k'], v: ins['v'] }, kv: { k: ins['k'], v: ins['v'] } }) : undefined,
      ),
      { in: { q: rotated[0]!, k: rotated[1]!, v: vS }, out: { q: qIns[l]!, kv: kvNew } },
    );
    g.invoke(writerOnKvGroup(kvWriterActor(`${P}kv-writer`, writerParams, T), layout, kvGroup), { in: { kv: kvNew } });
    // O projection and residual
    const attnVec = vec(`${P}attention.vec`, qW);
    g.invoke(glue(`${P}attention-unpack`, { in: attnWidths['out']! }, { out: rowBytes(qW) }, () => ({ out: vecMeta({ layer: l }) }), fd ? (ins) => ({ out: ins['in'] }) : undefined), {
      in: { in: outs[l]! },
      out: { out: attnVec },
    });
    const oOut = vec(`${P}o.out`, H);
    linear(l, 'o', H, qW, T, attnVec, oOut);
    const h1 = vec(`${P}residual1.out`, H);
    g.invoke(sfu(`${P}residual1`, { kind: 'residual-add', width: H }).spec, { in: { in: oOut, residual: skip1 }, out: { out: h1 } });
    // MLP
    const xb = vec(`${P}mlp-in`, H);
    const skip2 = vec(`${P}skip2`, H);
    g.invoke(glue(`${P}fork-mid`, { in: rowBytes(H) }, { a: rowBytes(H), b: rowBytes(H) }, (f) => ({ a: f['in']!, b: f['in']! }), fd ? pass : undefined), {
      in: { in: h1 },
      out: { a: xb, b: skip2 },
    });
    const xn2 = vec(`${P}ffn-norm.out`, H);
    g.invoke(sfu(`${P}ffn-norm`, { kind: 'rms-norm', width: H, eps, ...(lw ? { weight: lw.postAttnNorm } : {}) }).spec, { in: { in: xb }, out: { out: xn2 } });
    const gu = vec(`${P}gate_up.out`, 2 * I);
    linear(l, 'gate_up', 2 * I, H, T, xn2, gu);
    const gate = vec(`${P}gate`, I);
    const up = vec(`${P}up`, I);
    g.invoke(
      glue(
        `${P}gate-up-split`,
        { in: rowBytes(2 * I) },
        { gate: rowBytes(I), up: rowBytes(I) },
        (f) => ({ gate: f['in']!, up: f['in']! }),
        fd ? (ins) => ({ gate: cols(ins['in'] as Float32Array, 2 * I, 0, I), up: cols(ins['in'] as Float32Array, 2 * I, I, 2 * I) }) : undefined,
      ),
      { in: { in: gu }, out: { gate, up } },
    );
    const act = vec(`${P}swiglu.out`, I);
    g.invoke(sfu(`${P}swiglu`, { kind: 'swiglu', width: I, silu }).spec, { in: { gate, up }, out: { out: act } });
    const dOut = vec(`${P}down.out`, H);
    linear(l, 'down', H, I, T, act, dOut);
    const h2 = vec(`${P}residual2.out`, H);
    g.invoke(sfu(`${P}residual2`, { kind: 'residual-add', width: H }).spec, { in: { in: dOut, residual: skip2 }, out: { out: h2 } });
    hidden = h2;
  }
  // ---- final norm, LM head on the last token, logits to HBM
  const fn = sfu('final-norm', { kind: 'rms-norm', width: H, eps, ...(fd ? { weight: fd.weights.globals().finalNorm } : {}) });
  const xf = vec('final-norm.out', H);
  g.invoke(fn.spec, { in: { in: hidden }, out: { out: xf } });
  const last = g.stream('last-token', { depth: depth('last-token'), widthBytes: H * 4 });
  const headProbe = g.stream(LM_HEAD_START_PROBE, { depth: 2, widthBytes: PROBE_BYTES });
  g.invoke(
    glue(
      'select-last',
      { in: rowBytes(H) },
      { out: H * 4, probe: PROBE_BYTES },
      () => ({ out: { rows: 1, tokens: 1, positionStart: p0 + T - 1 }, probe: { op: 'lm_head' } }),
      fd ? (ins) => ({ out: (ins['in'] as Float32Array).slice((T - 1) * H, T * H), probe: 0 }) : undefined,
    ),
    { in: { in: xf }, out: { out: last, probe: headProbe } },
  );
  g.invoke(sinkActor({ name: LM_HEAD_START_PROBE, widthBytes: PROBE_BYTES }), { in: { in: headProbe } });
  const logits = g.stream('logits', { depth: depth('logits'), widthBytes: model.vocab * 4 });
  linear(-1, 'lm_head', model.vocab, H, 1, last, logits);
  g.invoke(hbmWriterActor({ name: 'logits-writer', resource: hbmResources.output!, widthBytes: model.vocab * 4, bytes: () => model.vocab * platform.dataFormats.activationBytesPerElement }), {
    in: { in: logits },
  });
  const graph = g.build();
  const names = new Set(graph.fifos.map((f) => f.name));
  for (const name of Object.keys(platform.fifoDepthOverrides)) {
    if (!names.has(name) && !LUT_LINEAR_FIFO_NAMES.includes(name)) {
      throw new RangeError(`platform.fifoDepthOverrides["${name}"]: no FIFO of that name in the pass graph (LUTLinear streams: ${LUT_LINEAR_FIFO_NAMES.join(', ')}; others e.g. attention.q, L0.attn-norm.out)`);
    }
  }
  return { graph, hbmResources, kvChannels: groupChannelNames(kvGroup), linearOps, layers: L };
}
