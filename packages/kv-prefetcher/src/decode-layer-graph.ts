import { GraphBuilder, mapFirings, type ActorSpec, type Graph } from '@lut-llm/core';
import { ATTENTION_PORTS, type AttentionJob, type AttentionQueryMeta, type AttentionQueryPayload, type KvWriteMeta } from '@lut-llm/contracts';
import { hbmChannelGroup, hbmPeakBytesPerCycle, V80_HBM, type HbmConfig } from '@lut-llm/memory';
import { kvBytesPerPosition } from './layout.js';
import { DEFAULT_KV_PREFETCHER_PARAMS, DEFAULT_KV_WRITER_PARAMS, type KvPrefetcherParams, type KvWriterParams } from './params.js';
import { qkvProjectionCyclesEstimate, type ConsumerFiring, type DecodeLayerAttentionModelInput } from './prefetch-model.js';
import { kvChunkWidthBytes, kvPrefetcherActor, kvPrefetchSchedule } from './prefetcher.js';
import { kvWriterActor, kvWriterWidthBytes } from './writer.js';

export interface DecodeLayerAttentionGraphOptions {
  readonly layer: number;
  /** History positions already cached; the new token is at position `context`. */
  readonly context: number;
  /** Prefetch the history while the QKV projection runs (true) or read it on demand after it (false). */
  readonly prefetch: boolean;
  /**
   * The attention actor (ports per ATTENTION_PORTS) built for exactly one job:
   * { layer, phase: 'decode', queryTokens: 1, queryStart: context } (e.g. @lut-llm/attention's
   * attentionActor). Injected so that this stage package does not depend on another stage.
   */
  readonly attention: ActorSpec;
  /** Cycles of the QKV projection stand-in. Default qkvProjectionCyclesEstimate() = 10240. */
  readonly qkvProjectionCycles?: number;
  /** Prefetcher overrides (layout, chunkPositions, bufferChunks, readLatencyCycles, image). */
  readonly prefetcher?: Partial<Omit<KvPrefetcherParams, 'jobs' | 'prefetch'>>;
  readonly writer?: Partial<KvWriterParams>;
  /** HBM configuration (channel counts of kvRead / kvWrite). Default V80_HBM. */
  readonly hbm?: HbmConfig;
  /** Functional mode: the new token's queries and own K/V (after q/k norm and RoPE). */
  readonly query?: AttentionQueryPayload;
}

export interface DecodeLayerAttentionGraph {
  readonly graph: Graph;
  readonly job: AttentionJob;
  readonly qkvProjectionCycles: number;
  readonly prefetcher: KvPrefetcherParams;
  readonly writer: KvWriterParams;
  /** Actor names, for reading the trace. */
  readonly names: { readonly qkv: string; readonly prefetcher: string; readonly attention: string; readonly writer: string; readonly sink: string };
  /** Resource names. */
  readonly resources: { readonly kvRead: string; readonly kvWrite: string };
  /** The inputs of predictDecodeLayerAttention for this graph, given the attention firings. */
  modelInput(attentionFirings: readonly ConsumerFiring[]): DecodeLayerAttentionModelInput;
}

/**
 * One decode step of one layer, around attention. This standalone stage-level graph keeps the
 * history reads (kvRead) and the new K/V write (kvWrite) on separate channel groups; the
 * accelerator's pass graph puts both on the design's shared K and V ports (one interleaved group
 * of kvRead + kvWrite channels: accelerator README, "Who shares what").
 *
 *   qkv-projection (stand-in: busy P cycles) --q--> attention --out--> sink
 *        |                 \--kvNew--> kv-writer (hbm.kvWrite)        ^
 *        \--trigger (prefetch off)--> kv-prefetcher (hbm.kvRead) --kv (depth bufferChunks)--/
 *
 * The stand-in replaces LUTLinear's QKV round (not owned here): a source that is busy for
 * qkvProjectionCycles and then emits the token's q/k/v. With prefetch on, the prefetcher starts
 * reading the layer's history at cycle 0, concurrently; with it off, it waits for the projection.
 */
export function buildDecodeLayerAttentionGraph(opts: DecodeLayerAttentionGraphOptions): DecodeLayerAttentionGraph {
  const P = opts.qkvProjectionCycles ?? qkvProjectionCyclesEstimate();
  if (!Number.isInteger(P) || P < 1) throw new RangeError(`decode layer graph: qkvProjectionCycles must be an integer >= 1, got ${P}`);
  const hbm = opts.hbm ?? V80_HBM;
  const job: AttentionJob = { layer: opts.layer, phase: 'decode', queryTokens: 1, queryStart: opts.context };
  const prefetcher: KvPrefetcherParams = { ...DEFAULT_KV_PREFETCHER_PARAMS, ...opts.prefetcher, prefetch: opts.prefetch, jobs: [{ layer: opts.layer, historyPositions: opts.context }] };
  const writer: KvWriterParams = { ...DEFAULT_KV_WRITER_PARAMS, layout: prefetcher.layout, ...opts.writer };
  const readGroup = hbmChannelGroup('kvRead', hbm, prefetcher.readResource);
  const writeGroup = hbmChannelGroup('kvWrite', hbm, writer.writeResource);
  const schedule = kvPrefetchSchedule(prefetcher, 'decode layer graph');
  const hasHistory = schedule.length > 0;

  const att = opts.attention;
  const A = ATTENTION_PORTS;
  const need = hasHistory ? [A.q, A.kv, A.carryIn] : [A.q];
  const missing = need.filter((p) => !att.inputs?.[p]);
  if (missing.length > 0 || !att.outputs?.[A.out] || (hasHistory && !att.outputs?.[A.carryOut])) {
    throw new RangeError(
      `decode layer graph: attention actor '${att.name}' must have inputs ${need.join(', ')} and outputs ${hasHistory ? 'out, carryOut' : 'out'} (built for a decode job at context ${opts.context})`,
    );
  }
  const names = { qkv: 'qkv-projection', prefetcher: 'kv-prefetcher', attention: att.name, writer: 'kv-writer', sink: 'attention-out' };
  const g = new GraphBuilder(`decode-layer-${opts.layer}-attention-ctx${opts.context}-${opts.prefetch ? 'prefetch' : 'on-demand'}`);
  g.resource(readGroup).resource(writeGroup);
  const qWidth = att.inputs![A.q]!.widthBytes;
  const q = g.stream('q', { depth: 1, widthBytes: qWidth });
  const kvNew = g.stream('kv-new', { depth: 1, widthBytes: kvWriterWidthBytes(writer) });
  const out = g.stream('attention-out', { depth: 1, widthBytes: att.outputs![A.out]!.widthBytes });
  const trigger = !opts.prefetch && hasHistory ? g.stream('kv-trigger', { depth: 1, widthBytes: 4 }) : undefined;

  const query = opts.query;
  const kvRow = prefetcher.layout.kvHeads * prefetcher.layout.headDim;
  const qkv: ActorSpec = {
    name: names.qkv,
    outputs: { q: { widthBytes: qWidth }, kvNew: { widthBytes: kvWriterWidthBytes(writer) }, ...(trigger ? { trigger: { widthBytes: 4 } } : {}) },
    firings: 1,
    cost: { iiCycles: P, latencyCycles: P },
    behaviour: mapFirings(() => {
      const qMeta: AttentionQueryMeta = { ...job, index: 0, last: true };
      const wMeta: KvWriteMeta = { layer: opts.layer, positionStart: opts.context, positions: 1, index: 0, last: true };
      return { q: qMeta, kvNew: wMeta, ...(trigger ? { trigger: { index: 0, last: true } } : {}) };
    }),
    kernel: () => {
      if (!query) throw new RangeError(`decode layer graph: functional mode needs opts.query (the new token's q, k, v)`);
      if (query.k.length !== kvRow || query.v.length !== kvRow) throw new RangeError(`decode layer graph: the new token's k and v must have ${kvRow} values, got ${query.k.length} and ${query.v.length}`);
      return { q: query, kvNew: { k: query.k, v: query.v }, ...(trigger ? { trigger: null } : {}) };
    },
  };
  g.invoke(qkv, { out: { q, kvNew, ...(trigger ? { trigger } : {}) } });
  g.invoke(kvWriterActor(names.writer, writer), { in: { kv: kvNew } });
  if (hasHistory) {
    const kv = g.stream('kv-buffer', { depth: prefetcher.bufferChunks, widthBytes: kvChunkWidthBytes(prefetcher) });
    g.invoke(kvPrefetcherActor(names.prefetcher, prefetcher), { ...(trigger ? { in: { trigger } } : {}), out: { kv } });
    // Depth 2: a firing reserves its carryOut slot before its carryIn read frees the other one.
    const carry = g.stream(`${att.name}.carry`, { depth: 2, widthBytes: att.outputs![A.carryOut]!.widthBytes });
    g.invoke(att, { in: { [A.q]: q, [A.kv]: kv, [A.carryIn]: carry }, out: { [A.out]: out, [A.carryOut]: carry } });
  } else {
    g.invoke(att, { in: { [A.q]: q }, out: { [A.out]: out } });
  }
  g.invoke({ name: names.sink, inputs: { in: { widthBytes: att.outputs![A.out]!.widthBytes } }, cost: { iiCycles: 1, latencyCycles: 0 } }, { in: { in: out } });

  const readBpc = readGroup.unitsPerCycle;
  const writeCycles = Math.ceil(kvBytesPerPosition(writer.layout) / hbmPeakBytesPerCycle('kvWrite', hbm)) + writer.writeLatencyCycles;
  return {
    graph: g.build(),
    job,
    qkvProjectionCycles: P,
    prefetcher,
    writer,
    names,
    resources: { kvRead: readGroup.name, kvWrite: writeGroup.name },
    modelInput: (attentionFirings) => ({
      qkvProjectionCycles: P,
      prefetch: opts.prefetch,
      chunkTransferCycles: schedule.map((c) => Math.ceil(c.bytes / readBpc)),
      readLatencyCycles: prefetcher.readLatencyCycles,
      bufferChunks: prefetcher.bufferChunks,
      attentionFirings,
      writeCycles,
    }),
  };
}
