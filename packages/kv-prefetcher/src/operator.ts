import type { KvCacheLayout, KvChunkMeta, KvChunkPayload, StageTile } from '@lut-llm/contracts';
import { hbmPeakBytesPerCycle } from '@lut-llm/memory';
import { concatMap, defer, type Observable, type OperatorFunction } from 'rxjs';
import type { KvCacheImage } from './cache-image.js';
import { DEFAULT_KV_PREFETCHER_PARAMS, type KvPrefetchJob, type KvPrefetcherParams } from './params.js';
import { kvPrefetchSchedule } from './prefetcher.js';

/** Options of the `kvPrefetch` operator: the prefetcher's parameters (no job list: jobs are the input) and the HBM contents. */
export interface KvPrefetchOperatorParams extends Partial<Omit<KvPrefetcherParams, 'jobs' | 'image' | 'prefetch' | 'bufferChunks' | 'readResource'>> {
  /**
   * The HBM contents the chunks are read from. Its layout (`image.layout`) is the one the chunks'
   * bytes, the layer range and the KV capacity follow; a `layout` given beside it must equal it.
   */
  readonly image: KvCacheImage;
  /**
   * Bytes per cycle of the channel group the reads use, when nothing else uses it. Default: the
   * V80's kvRead group, 2 channels x 32 B = 64 B/cycle (memory's hbmPeakBytesPerCycle('kvRead')).
   */
  readonly bytesPerCycle?: number;
}

/**
 * What the operator emits per history chunk: K and V of the chunk's positions, its metadata
 * (`index` counts chunks over the subscription, `last` marks a job's last chunk) and the bytes it
 * reads from HBM.
 */
export interface KvPrefetchTile extends StageTile<KvChunkMeta, KvChunkPayload> {
  readonly bytes: number;
}

/**
 * The KV prefetcher as an RxJS operator over jobs: each `KvPrefetchJob` (a layer and its history
 * length) becomes its history chunks in position order (`kvPrefetchSchedule`, the actor's
 * schedule: chunks of `chunkPositions`, the last one shorter), each read from `image` and sized by
 * `image.layout`. Cost per
 * chunk on an uncontended channel group: `iiCycles = ceil(bytes / bytesPerCycle)` (the transfer;
 * the next chunk's request follows it) and `latencyCycles = iiCycles + readLatencyCycles` (the
 * chunk is readable after its last byte plus the read latency), as the prefetcher actor's timing
 * spec derives. Contention with other readers of the channels is the engine's business.
 * Synchronous; a job beyond the KV reservation or reading unwritten positions is an error on `error`.
 *
 * ## Example
 * ```ts
 * of({ layer: 0, historyPositions: 150 }).pipe(kvPrefetch({ image }))
 * // chunks of 64, 64, 22 positions x 8 KiB: iiCycles 8192, 8192, 2816; latency + 64 each
 * ```
 */
export function kvPrefetch(params: KvPrefetchOperatorParams): OperatorFunction<KvPrefetchJob, KvPrefetchTile> {
  const { image, bytesPerCycle = hbmPeakBytesPerCycle('kvRead'), ...rest } = params;
  if (!Number.isInteger(bytesPerCycle) || bytesPerCycle < 1) throw new RangeError(`kvPrefetch: bytesPerCycle must be an integer >= 1, got ${bytesPerCycle}`);
  // The bytes read are the image's: its layout, not the default one (Qwen3-1.7B), sizes the
  // chunks, so an operator used on its own follows the cache it is given.
  const differs = rest.layout !== undefined && (Object.keys(image.layout) as (keyof KvCacheLayout)[]).find((k) => rest.layout![k] !== image.layout[k]);
  if (differs) throw new RangeError(`kvPrefetch: layout.${differs} is ${rest.layout![differs]} but the image's layout has ${image.layout[differs]} (the chunks are read from the image; leave layout out)`);
  const p: KvPrefetcherParams = { ...DEFAULT_KV_PREFETCHER_PARAMS, ...rest, layout: image.layout, image };
  if (!Number.isInteger(p.readLatencyCycles) || p.readLatencyCycles < 0) throw new RangeError(`kvPrefetch: readLatencyCycles must be an integer >= 0, got ${p.readLatencyCycles}`);
  return (source: Observable<KvPrefetchJob>) =>
    defer(() => {
      let index = 0;
      return source.pipe(
        concatMap((job) =>
          kvPrefetchSchedule({ ...p, jobs: [job] }, 'kvPrefetch').map((c): KvPrefetchTile => {
            const meta: KvChunkMeta = { layer: c.layer, positionStart: c.positionStart, positions: c.positions, chunk: c.chunk, chunks: c.chunks, index: index++, last: c.chunk === c.chunks - 1 };
            const iiCycles = Math.max(1, Math.ceil(c.bytes / bytesPerCycle));
            return { meta, payload: image.readChunk(c.layer, c.positionStart, c.positions), iiCycles, latencyCycles: iiCycles + p.readLatencyCycles, bytes: c.bytes };
          }),
        ),
      );
    });
}
