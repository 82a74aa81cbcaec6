import { registerStage, type StagePlugin } from '@lut-llm/contracts';
import { z } from 'zod';
import { DEFAULT_KV_PREFETCHER_PARAMS } from './params.js';

/** What a graph spec may set on the KV path: the chunks buffered between the prefetcher and attention. */
export interface KvPrefetcherStageParams {
  readonly bufferChunks: number;
}
const schema = z.strictObject({ bufferChunks: z.number().int().min(1).optional() }) as z.ZodType<Partial<KvPrefetcherStageParams>>;

function plugin(name: 'prefetch' | 'on-demand', description: string): StagePlugin<KvPrefetcherStageParams> {
  return {
    kind: 'kv-prefetcher',
    name,
    description,
    packageName: '@lut-llm/kv-prefetcher',
    params: schema,
    resolve: (o) => ({ bufferChunks: o.bufferChunks ?? DEFAULT_KV_PREFETCHER_PARAMS.bufferChunks }),
    hooks: { prefetch: name === 'prefetch' },
  };
}
export const KV_PREFETCHER_PLUGINS = [
  plugin('prefetch', 'the reference: each layer\'s KV history is read while its QKV projection runs'),
  plugin('on-demand', 'no prefetch: a layer\'s history read starts when its QKV projection is done'),
] as const;
for (const p of KV_PREFETCHER_PLUGINS) registerStage(p);
