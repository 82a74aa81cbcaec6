import { attentionPortWidths, invokeAttention, resolveAttentionParams, type AttentionStageParams } from '@lut-llm/attention';
import { installStage, stageRegistry, type AttentionJob, type LinearVariant, type StagePlugin } from '@lut-llm/contracts';
import { GraphBuilder, mapFirings, sinkActor, type ActorSpec, type Graph, type StreamRef, type TokenMeta } from '@lut-llm/core';
import { KvCacheImage, kvCacheLayout, kvChunkWidthBytes, kvPrefetcherActor, kvWriterActor, kvWriterWidthBytes, DEFAULT_KV_PREFETCHER_PARAMS, DEFAULT_KV_WRITER_PARAMS, type KvPrefetcherParams } from '@lut-llm/kv-prefetcher';
import { hbmChannelGroup, type HbmStream } from '@lut-llm/memory';
import { kvWidth, qWidth, type QuantizedQwen3Model, type Qwen3Config, type Qwen3WeightSource } from '@lut-llm/model';
import { sfuActor, type SfuStageParams } from '@lut-llm/sfu';
import { fifoDepth, platformChannelBytesPerCycle, platformHbmConfig, prefillChunkTokensOf, stageNumber, stageOverrides, type PlatformConfig } from '../platform/index.js';
import { LINEAR_VARIANTS } from '@lut-llm/contracts';
import { validateQwen3Config } from '@lut-llm/model';
import { hbmReaderActor, hbmWriterActor } from '../lut-linear/hbm-actors.js';
import { GO_TOKEN_BYTES, installLutLinearOp, type LutLinearLoader } from '../lut-linear/graph.js';
import { STAGE_PLUGIN_KEY } from './stage-spec.js';
import { hbmStreamsOf, resolveLutLinearConfig, type LutLinearConfig, type LutLinearOptions, type WeightOnlyImplementation } from '../lut-linear/options.js';

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
  /** HBM resource names by stream. */
  readonly hbmResources: Readonly<Partial<Record<HbmStream, string>>>;
  /** Linear ops in execution order, with their resolved configuration. */
  readonly linearOps: readonly { readonly prefix: string; readonly name: string; readonly layer: number; readonly cfg: LutLinearConfig }[];
  readonly layers: number;
}

/** Stages a platform file may configure for the pass graph, and the keys the graph itself reads. */
export const PASS_STAGES = ['lut-linear', 'centroid-search', 'lut-psum', 'accumulator', 'dequantizer', 'sfu', 'attention', 'kv-prefetcher'] as const;
const LUT_LINEAR_STAGE_KEYS = ['positionLanes', 'outputLanes', 'prefillChunkTokens'] as const;
const KV_PREFETCHER_STAGE_KEYS = ['bufferChunks'] as const;
/** LUTLinear FIFO names a depth override may use (they apply to every op's stream of that name). */
const LUT_LINEAR_FIFO_NAMES = ['activations', 'centroids', 'activation-indices', 'weight-tiles', 'scales', 'psums', 'accumulated', 'outputs'];

function checkStageKeys(platform: PlatformConfig, stage: string, known: readonly string[]): void {
  for (const k of Object.keys(stageOverrides(platform, stage))) {
    if (!known.includes(k)) throw new RangeError(`platform.stages["${stage}"].${k}: unknown parameter (known: ${known.join(', ')})`);
  }
}

/** Unknown stage names and the graph's own stage keys are errors, not silently ignored settings. */
export function checkPassPlatform(platform: PlatformConfig): void {
  for (const stage of Object.keys(platform.stages)) {
    if (!(PASS_STAGES as readonly string[]).includes(stage)) throw new RangeError(`platform.stages["${stage}"]: unknown stage (known: ${PASS_STAGES.join(', ')})`);
  }
  checkStageKeys(platform, 'lut-linear', LUT_LINEAR_STAGE_KEYS);
  // A plugin prefetcher's parameters were checked by its own schema (stage-spec.ts).
  if (stageOverrides(platform, 'kv-prefetcher')[STAGE_PLUGIN_KEY] === undefined) checkStageKeys(platform, 'kv-prefetcher', KV_PREFETCHER_STAGE_KEYS);
  prefillChunkTokensOf(platform);
  stageNumber(platform, 'kv-prefetcher', 'bufferChunks', 4);
}

/**
 * Marker sinks for the report's per-layer cycles: `L<l>.layer-start` receives a token when layer l
 * takes its input (its fork), `lm-head-start` when the last token enters the LM head. A marker
 * is written in the same firing as the data and drained at once, so it never stalls anything.
 */
export const LAYER_START_PROBE = 'layer-start';
export const LM_HEAD_START_PROBE = 'lm-head-start';
const PROBE_BYTES = 4;

/** The LUTLinear ops of a layer, in the order the unit runs them (DESIGN.md 1.3). */
export const LAYER_OPS = ['qkv', 'o', 'gate_up', 'down'] as const;

/**
 * LUTLinear options for one op on a platform: clock, HBM plan, VQ numerics, stage overrides
 * (`platform.stages["lut-linear"|"centroid-search"|"lut-psum"|"accumulator"|"dequantizer"]`) and
 * FIFO depth overrides by stream name.
 */
export function lutLinearOptionsFor(platform: PlatformConfig, op: string, outFeatures: number, inFeatures: number, tokens: number, variant: LinearVariant): LutLinearOptions {
  checkStageKeys(platform, 'lut-linear', LUT_LINEAR_STAGE_KEYS);
  const depths: Record<string, number> = {};
  const keys = { activations: 'activations', centroids: 'centroids', activationIndices: 'activation-indices', weightTiles: 'weight-tiles', scales: 'scales', psums: 'psums', accumulated: 'accumulated', outputs: 'outputs' } as const;
  for (const [k, name] of Object.entries(keys)) if (Object.hasOwn(platform.fifoDepthOverrides, name)) depths[k] = platform.fifoDepthOverrides[name]!;
  return {
    outFeatures,
    inFeatures,
    tokens,
    variant,
    op,
    numerics: { ...platform.vq },
    hbm: { channels: { ...platform.hbm.channels }, bytesPerCyclePerChannel: platformChannelBytesPerCycle(platform), readLatencyCycles: platform.hbm.readLatencyCycles },
    clockMhz: platform.clockMhz,
    positionLanes: stageNumber(platform, 'lut-linear', 'positionLanes', 16),
    outputLanes: stageNumber(platform, 'lut-linear', 'outputLanes', 512),
    ...stageImplementationOptions(platform, variant),
    fifoDepths: depths,
  };
}

/**
 * The centroid-search and LUT-PSum choices of `platform.stages` (an `implementation` key, set by a
 * graph spec: inference/stage-spec.ts) as LUTLinear options. The LUT-PSum parameters go to the
 * implementation the variant uses; an implementation that needs another variant is an error.
 */
function stageImplementationOptions(platform: PlatformConfig, variant: LinearVariant): Partial<LutLinearOptions> {
  const { implementation: cs, ...csParams } = stageOverrides(platform, 'centroid-search');
  const { implementation: psum, ...psumParams } = stageOverrides(platform, 'lut-psum');
  const byImpl: Record<string, [LinearVariant, keyof LutLinearOptions, WeightOnlyImplementation?]> = {
    'lut-2d': ['co-quant', 'lutPsum2d'],
    'lut-1d': ['activation-only', 'lutPsum1d'],
    'weight-only-dsp': ['weight-only', 'weightOnlyDspPsum', 'dsp-dequant'],
    'weight-only-table': ['weight-only', 'weightOnlyPsum', 'online-table'],
  };
  const fallback: Record<LinearVariant, string> = { 'co-quant': 'lut-2d', 'activation-only': 'lut-1d', 'weight-only': 'weight-only-dsp' };
  const name = psum === undefined ? fallback[variant] : String(psum);
  // Plugin stages (any other registered name) replace the shipped ones through the registry.
  const plugins: Record<string, { implementation: string; params: Record<string, unknown> }> = {};
  const { implementation: acc, ...accParams } = stageOverrides(platform, 'accumulator');
  const { implementation: dq, ...dqParams } = stageOverrides(platform, 'dequantizer');
  if (acc !== undefined) plugins['accumulator'] = { implementation: String(acc), params: accParams };
  if (dq !== undefined) plugins['dequantizer'] = { implementation: String(dq), params: dqParams };
  const linear = {
    centroidSearch: { ...(cs !== undefined ? { implementation: String(cs) } : {}), params: csParams as never },
    ...(acc === undefined ? { accumulator: accParams as never } : {}),
    ...(dq === undefined ? { dequantizer: dqParams as never } : {}),
  };
  const entry = byImpl[name];
  if (!entry) {
    if (!stageRegistry.has('lut-psum', name)) throw new RangeError(`platform.stages["lut-psum"].implementation: unknown '${name}' (known: ${stageRegistry.names('lut-psum').join(', ')})`);
    const wants = stageRegistry.get('lut-psum', name).hooks?.['variant'];
    if (wants !== variant) throw new RangeError(`stages.lut-psum '${name}' computes the ${String(wants)} variant, the pass runs ${variant}`);
    return { ...linear, stagePlugins: { ...plugins, 'lut-psum': { implementation: name, params: psumParams } } };
  }
  if (entry[0] !== variant) throw new RangeError(`stages.lut-psum '${name}' computes the ${entry[0]} variant, the pass runs ${variant}`);
  // Without a spec, platform.stages["lut-psum"] configures the 2D matchers (as before).
  const psumKey = psum === undefined ? 'lutPsum2d' : entry[1];
  return {
    ...linear,
    [psumKey]: psumParams as never,
    ...(entry[2] !== undefined ? { weightOnlyImplementation: entry[2] } : {}),
    ...(Object.keys(plugins).length > 0 ? { stagePlugins: plugins } : {}),
  };
}

/**
 * A plugin implementation of attention, the SFU or the KV prefetcher named in `platform.stages[kind]`
 * (`STAGE_PLUGIN_KEY`, set by a graph spec), with the platform's other overrides for it; undefined
 * for the shipped unit.
 */
function stagePluginOf(platform: PlatformConfig, kind: 'attention' | 'sfu' | 'kv-prefetcher'): { plugin: StagePlugin<unknown>; overrides: Record<string, unknown> } | undefined {
  const { [STAGE_PLUGIN_KEY]: name, ...overrides } = stageOverrides(platform, kind);
  if (name === undefined) return undefined;
  const plugin = stageRegistry.get(kind, String(name));
  // The SFU and the prefetcher are single actors the pass binds itself; attention may bring its own install.
  if (!plugin.actor && !(kind === 'attention' && plugin.hooks?.['install'])) throw new RangeError(`stages.${kind} '${plugin.name}' (${plugin.packageName}): the pass graph needs its actor()`);
  return { plugin, overrides };
}

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

  // ---- shared resources: HBM channel groups
  const hbmCfg = platformHbmConfig(platform);
  const hbmResources: Partial<Record<HbmStream, string>> = {};
  const streams = new Set<HbmStream>([...hbmStreamsOf(variant), 'kvRead', 'kvWrite']);
  for (const s of streams) {
    const r = hbmChannelGroup(s, hbmCfg);
    g.resource(r);
    hbmResources[s] = r.name;
  }

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
    });
    prevGo = goOut;
    linearOps.push({ prefix, name, layer, cfg });
  };

  // ---- glue: forks, splits and joins of vector streams (wires and routing: II 1)
  const glue = (
    name: string,
    inputs: Record<string, number>,
    outputs: Record<string, number>,
    outMeta: (f: Record<string, TokenMeta>) => Record<string, TokenMeta>,
    kernel?: (payloads: Readonly<Record<string, unknown>>) => Record<string, unknown>,
  ): ActorSpec => ({
    name,
    inputs: Object.fromEntries(Object.entries(inputs).map(([p, w]) => [p, { widthBytes: w }])),
    outputs: Object.fromEntries(Object.entries(outputs).map(([p, w]) => [p, { widthBytes: w }])),
    cost: { iiCycles: 1, latencyCycles: 0 },
    behaviour: mapFirings((f) => outMeta(f.inputs as Record<string, TokenMeta>)),
    ...(kernel ? { kernel: (ins: Readonly<Record<string, unknown>>) => kernel(ins) } : {}),
  });
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
  const shape = { heads: model.heads, kvHeads: model.kvHeads, headDim: hd };
  const jobs: AttentionJob[] = Array.from({ length: L }, (_, l) => ({ layer: l, phase: opts.phase, queryTokens: T, queryStart: p0 }));
  // A plugin attention unit resolves to the attention stage's parameters (and its own): ports and KV chunks follow them.
  const attnPlugin = stagePluginOf(platform, 'attention');
  const attnParams: AttentionStageParams = attnPlugin
    ? (attnPlugin.plugin.resolve({ ...attnPlugin.overrides, shape, jobs }) as AttentionStageParams)
    : { ...resolveAttentionParams({ ...(stageOverrides(platform, 'attention') as object), shape } as never, 'attention'), jobs };
  const attnHw = attnParams;
  const attnWidths = attentionPortWidths(attnParams);
  const qTok = g.stream('attention.q', { depth: depth('attention.q'), widthBytes: attnWidths['q']! });
  const attnOut = g.stream('attention.out', { depth: depth('attention.out'), widthBytes: attnWidths['out']! });
  const layout = kvCacheLayout({ layers: model.layers, kvHeads: model.kvHeads, headDim: hd, maxPositions: model.maxPositionEmbeddings, bytesPerElement: platform.dataFormats.kvBytesPerElement });
  const prefetch = opts.prefetch ?? true;
  let kvStream: StreamRef | undefined;
  const triggers: StreamRef[] = [];
  if (p0 > 0) {
    const pf: KvPrefetcherParams = {
      ...DEFAULT_KV_PREFETCHER_PARAMS,
      layout,
      chunkPositions: attnHw.kvChunkPositions,
      prefetch,
      readResource: hbmResources.kvRead!,
      readLatencyCycles: platform.hbm.readLatencyCycles,
      jobs: Array.from({ length: L }, (_, l) => ({ layer: l, historyPositions: p0 })),
      bufferChunks: stageNumber(platform, 'kv-prefetcher', 'bufferChunks', DEFAULT_KV_PREFETCHER_PARAMS.bufferChunks),
    };
    if (fd) (pf as { image?: KvCacheImage }).image = fd.kvImage;
    kvStream = g.stream('kv-prefetcher.kv', { depth: pf.bufferChunks, widthBytes: kvChunkWidthBytes(pf) });
    // A plugin prefetcher gets the pass's parameters (and its own overrides); the pass graph declares the HBM group it reads.
    const kvPlugin = stagePluginOf(platform, 'kv-prefetcher');
    const kvActor = (): ActorSpec => (kvPlugin ? kvPlugin.plugin.actor!('kv-prefetcher', kvPlugin.plugin.resolve({ ...pf, ...kvPlugin.overrides })) : kvPrefetcherActor('kv-prefetcher', pf));
    if (prefetch) {
      g.invoke(kvActor(), { out: { kv: kvStream } });
    } else {
      // Fetch on demand: layer l's history read waits for its QKV projection (a trigger per layer).
      const trig = g.stream('kv-prefetcher.trigger', { depth: 1, widthBytes: 4 });
      g.invoke(kvActor(), { in: { trigger: trig }, out: { kv: kvStream } });
      const ins: Record<string, number> = {};
      for (let l = 0; l < L; l++) ins[`t${l}`] = 4;
      const mux: ActorSpec = {
        ...glue('kv-prefetcher.trigger-mux', ins, { out: 4 }, (f) => ({ out: Object.values(f)[0]! }), fd ? () => ({ out: 0 }) : undefined),
        firings: L,
        reads: (i) => [`t${i}`],
      };
      for (let l = 0; l < L; l++) triggers.push(g.stream(`L${l}.kv-trigger`, { depth: 1, widthBytes: 4 }));
      g.invoke(mux, { in: Object.fromEntries(triggers.map((t, l) => [`t${l}`, t])), out: { out: trig } });
    }
  }
  if (attnPlugin) installStage(attnPlugin.plugin, g, 'attention', attnParams, { in: { q: qTok, ...(kvStream ? { kv: kvStream } : {}) }, out: { out: attnOut } });
  else invokeAttention(g, 'attention', attnParams, { q: qTok, out: attnOut, ...(kvStream ? { kv: kvStream } : {}) });
  // The one attention unit is fed by every layer in turn: a q mux and an output demux.
  const qIns: StreamRef[] = [];
  const outs: StreamRef[] = [];
  for (let l = 0; l < L; l++) {
    qIns.push(g.stream(`L${l}.attention-q`, { depth: depth(`L${l}.attention-q`), widthBytes: attnWidths['q']! }));
    outs.push(g.stream(`L${l}.attention-out`, { depth: depth(`L${l}.attention-out`), widthBytes: attnWidths['out']! }));
  }
  g.invoke(
    {
      ...glue('attention.q-mux', Object.fromEntries(qIns.map((_, l) => [`q${l}`, attnWidths['q']!])), { out: attnWidths['q']! }, (f) => ({ out: Object.values(f)[0]! }), fd ? (ins) => ({ out: Object.values(ins)[0] }) : undefined),
      firings: L,
      reads: (i) => [`q${i}`],
    },
    { in: Object.fromEntries(qIns.map((s, l) => [`q${l}`, s])), out: { out: qTok } },
  );
  g.invoke(
    {
      ...glue(
        'attention.out-demux',
        { in: attnWidths['out']! },
        Object.fromEntries(outs.map((_, l) => [`o${l}`, attnWidths['out']!])),
        (f) => ({ [`o${f['in']!['layer'] as number}`]: f['in']! }),
      ),
      firings: L,
      writes: (i) => [`o${i}`],
      ...(fd ? { kernel: (ins: Readonly<Record<string, unknown>>, outs: Readonly<Record<string, TokenMeta>>) => ({ [Object.keys(outs)[0]!]: ins['in'] }) } : {}),
    },
    { in: { in: attnOut }, out: Object.fromEntries(outs.map((s, l) => [`o${l}`, s])) },
  );

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
  const writerParams = { ...DEFAULT_KV_WRITER_PARAMS, layout, writeResource: hbmResources.kvWrite!, writeLatencyCycles: platform.hbm.readLatencyCycles };
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
    g.invoke(kvWriterActor(`${P}kv-writer`, writerParams, T), { in: { kv: kvNew } });
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
  return { graph, hbmResources, linearOps, layers: L };
}
