import { registerStage, type KvChunkPayload, type StagePlugin } from '@lut-llm/contracts';
import type { FiringCost } from '@lut-llm/core';
import { hbmPeakBytesPerCycle, V80_HBM } from '@lut-llm/memory';
import { z } from 'zod';
import { KvCacheImage } from './cache-image.js';
import { kvCacheLayout } from './layout.js';
import { DEFAULT_KV_PREFETCHER_PARAMS, type KvPrefetcherParams } from './params.js';
import { kvPrefetcherActor, kvPrefetchSchedule } from './prefetcher.js';

/**
 * A KV prefetcher's parameters as registered: the actor's (`KvPrefetcherParams`; `prefetch` is
 * fixed by the implementation) and the bytes per cycle of the HBM channel group it reads, which
 * the accelerator declares in a full graph and the conformance harness declares around it alone.
 * A graph spec may set `bufferChunks`; the layout, jobs, chunk size and image come from the model
 * and the pass (a conformance case gives its own).
 */
export interface KvPrefetcherStageParams extends KvPrefetcherParams {
  /** Bytes per cycle of `readResource`. Default the V80's kvRead group: 2 channels x 32 B = 64. */
  readonly readBytesPerCycle: number;
}

const schema = z.strictObject({
  bufferChunks: z.number().int().min(1).optional(),
  chunkPositions: z.number().int().min(1).optional(),
  readLatencyCycles: z.number().int().min(0).optional(),
  readBytesPerCycle: z.number().int().min(1).optional(),
  readResource: z.string().min(1).optional(),
  layout: z.custom<KvPrefetcherParams['layout']>((v) => typeof v === 'object' && v !== null).optional(),
  jobs: z.array(z.custom<KvPrefetcherParams['jobs'][number]>((v) => typeof v === 'object' && v !== null)).optional(),
  image: z.custom<KvCacheImage>((v) => v instanceof KvCacheImage).optional(),
}) as unknown as z.ZodType<Partial<KvPrefetcherStageParams>>;

/** The cost of each firing of a prefetcher with `p` (one per chunk: II 1, the chunk's bytes from HBM, then the read latency). */
export function kvPrefetchFiringCosts(p: KvPrefetcherParams): FiringCost[] {
  return kvPrefetchSchedule(p).map((c) => ({ iiCycles: 1, latencyCycles: p.readLatencyCycles, requests: [{ resource: p.readResource, units: c.bytes }] }));
}

function plugin(name: 'prefetch' | 'on-demand', description: string): StagePlugin<KvPrefetcherStageParams> {
  const prefetch = name === 'prefetch';
  return {
    kind: 'kv-prefetcher',
    name,
    description,
    packageName: '@lut-llm/kv-prefetcher',
    params: schema,
    resolve: (o) => ({ ...DEFAULT_KV_PREFETCHER_PARAMS, readBytesPerCycle: hbmPeakBytesPerCycle('kvRead', V80_HBM), ...o, prefetch }),
    actor: (n, p) => kvPrefetcherActor(n, p),
    resources: (_n, p) => [{ name: p.readResource, unitsPerCycle: p.readBytesPerCycle, unit: 'bytes' }],
    cycleModel: (p) => kvPrefetchFiringCosts(p),
    hooks: { prefetch },
  };
}
export const KV_PREFETCHER_PLUGINS = [
  plugin('prefetch', 'the reference: each layer\'s KV history is read while its QKV projection runs'),
  plugin('on-demand', 'no prefetch: a layer\'s history read starts when its QKV projection is done'),
] as const;
for (const p of KV_PREFETCHER_PLUGINS) registerStage(p);

/**
 * Conformance cases for any KV prefetcher: a small cache (2 layers, 2 KV heads of 4, 16 positions,
 * FP32), histories of 7 and 4 positions read in chunks of 3 (3 + 2 chunks), 16 bytes per cycle of
 * HBM; the reference payloads are the K/V rows written, sliced here (not read back through the
 * image). `trigger` carries one token per job, for implementations that fetch on demand.
 */
export function kvPrefetcherConformanceCases() {
  const layout = kvCacheLayout({ layers: 2, kvHeads: 2, headDim: 4, maxPositions: 16, bytesPerElement: 4 });
  const row = layout.kvHeads * layout.headDim;
  const image = new KvCacheImage(layout);
  const jobs = [
    { layer: 0, historyPositions: 7 },
    { layer: 1, historyPositions: 4 },
  ];
  const written = jobs.map((j, n) => {
    const k = Float32Array.from({ length: j.historyPositions * row }, (_, i) => 1000 * n + i + 0.25);
    const v = Float32Array.from({ length: j.historyPositions * row }, (_, i) => -1000 * n - i - 0.5);
    image.write(j.layer, 0, k, v);
    return { k, v };
  });
  const chunkPositions = 3;
  const kv: KvChunkPayload[] = [];
  jobs.forEach((j, n) => {
    for (let s = 0; s < j.historyPositions; s += chunkPositions) {
      const e = Math.min(j.historyPositions, s + chunkPositions);
      kv.push({ k: written[n]!.k.slice(s * row, e * row), v: written[n]!.v.slice(s * row, e * row) });
    }
  });
  return [
    {
      label: 'histories of 7 and 4 positions, chunks of 3, 16 B/cycle',
      params: { layout, jobs, image, chunkPositions, readBytesPerCycle: 16, readLatencyCycles: 5 },
      inputs: { trigger: jobs.map((j) => ({ meta: { layer: j.layer }, payload: 0 })) },
      expected: { kv },
    },
  ];
}
