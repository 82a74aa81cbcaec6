import { attentionPortWidths, invokeAttention, resolveAttentionParams, type AttentionStageParams } from '@lut-llm/attention';
import { installStage, type AttentionJob, type KvCacheLayout } from '@lut-llm/contracts';
import { type ActorSpec, type GraphBuilder, type ResourceGroupSpec, type StreamRef, type TokenMeta, mapFirings } from '@lut-llm/core';
import { kvChunkWidthBytes, kvPrefetcherActor, DEFAULT_KV_PREFETCHER_PARAMS, type KvCacheImage, type KvPrefetcherParams } from '@lut-llm/kv-prefetcher';
import { type Qwen3Config } from '@lut-llm/model';
import { stageNumber, stageOverrides, type PlatformConfig } from '../platform/index.js';
import { prefetcherOnKvGroup } from './kv-channels.js';
import { stagePluginOf } from './pass-platform.js';

/**
 * Glue between units: forks, splits, joins and muxes of vector streams (wires and routing, II 1,
 * no latency). `kernel` given: the functional payloads.
 */
export function glue(
  name: string,
  inputs: Record<string, number>,
  outputs: Record<string, number>,
  outMeta: (f: Record<string, TokenMeta>) => Record<string, TokenMeta>,
  kernel?: (payloads: Readonly<Record<string, unknown>>) => Record<string, unknown>,
): ActorSpec {
  return {
    name,
    inputs: Object.fromEntries(Object.entries(inputs).map(([p, w]) => [p, { widthBytes: w }])),
    outputs: Object.fromEntries(Object.entries(outputs).map(([p, w]) => [p, { widthBytes: w }])),
    cost: { iiCycles: 1, latencyCycles: 0 },
    behaviour: mapFirings((f) => outMeta(f.inputs as Record<string, TokenMeta>)),
    ...(kernel ? { kernel: (ins: Readonly<Record<string, unknown>>) => kernel(ins) } : {}),
  };
}

/** What the layers connect to: per layer a q input and an output of the one attention unit, and (fetch on demand) a KV trigger. */
/**
 * The KV prefetcher's stream: its depth is the prefetcher's on-chip buffer of KV chunks (platform
 * `stages["kv-prefetcher"].bufferChunks`, packages/kv-prefetcher), so the CLI's
 * `--set fifo.kv-prefetcher.kv=<chunks>` sets that stage parameter.
 */
export const KV_BUFFER_FIFO = 'kv-prefetcher.kv';

export interface AttentionUnit {
  readonly qIns: readonly StreamRef[];
  readonly outs: readonly StreamRef[];
  /** Per layer, the stream that starts its history read (prefetch off, history > 0); else empty. */
  readonly triggers: readonly StreamRef[];
  /** Widths of the unit's q and out tokens. */
  readonly widths: Readonly<Record<string, number>>;
}

/**
 * Installs the attention unit shared by all layers (a q mux in front, an output demux behind) and,
 * with a history, the KV prefetcher reading it from the KV channel group `kvGroup` (shared with
 * the layers' KV writers: kv-channels.ts).
 */
export function installAttentionUnit(
  g: GraphBuilder,
  o: {
    readonly model: Qwen3Config;
    readonly platform: PlatformConfig;
    readonly phase: 'prefill' | 'decode';
    readonly layers: number;
    readonly tokens: number;
    readonly history: number;
    readonly prefetch: boolean;
    readonly layout: KvCacheLayout;
    readonly kvGroup: ResourceGroupSpec;
    readonly kvImage: KvCacheImage | undefined;
    readonly functional: boolean;
    readonly depth: (name: string) => number;
  },
): AttentionUnit {
  const { model, platform, layers: L, tokens: T, history: p0, prefetch, depth, functional: fd } = o;
  const shape = { heads: model.heads, kvHeads: model.kvHeads, headDim: model.headDim };
  const jobs: AttentionJob[] = Array.from({ length: L }, (_, l) => ({ layer: l, phase: o.phase, queryTokens: T, queryStart: p0 }));
  // A plugin attention unit resolves to the attention stage's parameters (and its own): ports and KV chunks follow them.
  const attnPlugin = stagePluginOf(platform, 'attention');
  const attnParams: AttentionStageParams = attnPlugin
    ? (attnPlugin.plugin.resolve({ ...attnPlugin.overrides, shape, jobs }) as AttentionStageParams)
    : { ...resolveAttentionParams({ ...(stageOverrides(platform, 'attention') as object), shape } as never, 'attention'), jobs };
  const attnHw = attnParams;
  const widths = attentionPortWidths(attnParams);
  const qTok = g.stream('attention.q', { depth: depth('attention.q'), widthBytes: widths['q']! });
  const attnOut = g.stream('attention.out', { depth: depth('attention.out'), widthBytes: widths['out']! });
  let kvStream: StreamRef | undefined;
  const triggers: StreamRef[] = [];
  if (p0 > 0) {
    const pf: KvPrefetcherParams = {
      ...DEFAULT_KV_PREFETCHER_PARAMS,
      layout: o.layout,
      chunkPositions: attnHw.kvChunkPositions,
      prefetch,
      readResource: o.kvGroup.name,
      readLatencyCycles: platform.hbm.readLatencyCycles,
      jobs: Array.from({ length: L }, (_, l) => ({ layer: l, historyPositions: p0 })),
      bufferChunks: stageNumber(platform, 'kv-prefetcher', 'bufferChunks', DEFAULT_KV_PREFETCHER_PARAMS.bufferChunks),
      ...(o.kvImage ? { image: o.kvImage } : {}),
    };
    kvStream = g.stream(KV_BUFFER_FIFO, { depth: pf.bufferChunks, widthBytes: kvChunkWidthBytes(pf) });
    // A plugin prefetcher gets the pass's parameters (and its own overrides) and reads the same KV channel group.
    const kvPlugin = stagePluginOf(platform, 'kv-prefetcher');
    const pfActor = kvPlugin ? kvPlugin.plugin.actor!('kv-prefetcher', kvPlugin.plugin.resolve({ ...pf, ...kvPlugin.overrides })) : kvPrefetcherActor('kv-prefetcher', pf);
    const prefetcher = prefetcherOnKvGroup(pfActor, pf, o.kvGroup);
    if (prefetch) {
      g.invoke(prefetcher, { out: { kv: kvStream } });
    } else {
      // Fetch on demand: layer l's history read waits for its QKV projection (a trigger per layer).
      const trig = g.stream('kv-prefetcher.trigger', { depth: 1, widthBytes: 4 });
      g.invoke(prefetcher, { in: { trigger: trig }, out: { kv: kvStream } });
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
    qIns.push(g.stream(`L${l}.attention-q`, { depth: depth(`L${l}.attention-q`), widthBytes: widths['q']! }));
    outs.push(g.stream(`L${l}.attention-out`, { depth: depth(`L${l}.attention-out`), widthBytes: widths['out']! }));
  }
  g.invoke(
    {
      ...glue('attention.q-mux', Object.fromEntries(qIns.map((_, l) => [`q${l}`, widths['q']!])), { out: widths['q']! }, (f) => ({ out: Object.values(f)[0]! }), fd ? (ins) => ({ out: Object.values(ins)[0] }) : undefined),
      firings: L,
      reads: (i) => [`q${i}`],
    },
    { in: Object.fromEntries(qIns.map((s, l) => [`q${l}`, s])), out: { out: qTok } },
  );
  g.invoke(
    {
      ...glue(
        'attention.out-demux',
        { in: widths['out']! },
        Object.fromEntries(outs.map((_, l) => [`o${l}`, widths['out']!])),
        (f) => ({ [`o${f['in']!['layer'] as number}`]: f['in']! }),
      ),
      firings: L,
      writes: (i) => [`o${i}`],
      ...(fd ? { kernel: (ins: Readonly<Record<string, unknown>>, outs: Readonly<Record<string, TokenMeta>>) => ({ [Object.keys(outs)[0]!]: ins['in'] }) } : {}),
    },
    { in: { in: attnOut }, out: Object.fromEntries(outs.map((s, l) => [`o${l}`, s])) },
  );
  return { qIns, outs, triggers, widths };
}
