import type { ActorSpec } from '@lut-llm/core';
import type { KvChunkMeta, StageImplementation } from '@lut-llm/contracts';
import { checkKvCapacity, kvBytesPerPosition } from './layout.js';
import { DEFAULT_KV_PREFETCHER_PARAMS, type KvPrefetcherParams } from './params.js';

/** One firing of the prefetcher: one chunk read. */
export interface KvPrefetchChunk extends KvChunkMeta {
  readonly job: number;
  readonly bytes: number;
}

/** The chunks the prefetcher reads, in order (history 0 .. n-1 of each job cut into chunkPositions). */
export function kvPrefetchSchedule(params: KvPrefetcherParams, who = 'kv-prefetcher'): KvPrefetchChunk[] {
  const { layout, chunkPositions } = params;
  if (!Number.isInteger(chunkPositions) || chunkPositions < 1) throw new RangeError(`${who}: chunkPositions must be an integer >= 1, got ${chunkPositions}`);
  const perPos = kvBytesPerPosition(layout);
  const out: KvPrefetchChunk[] = [];
  params.jobs.forEach((job, j) => {
    if (!Number.isInteger(job.layer) || job.layer < 0 || job.layer >= layout.layers) throw new RangeError(`${who}: job ${j}: layer ${job.layer} is outside 0..${layout.layers - 1}`);
    if (!Number.isInteger(job.historyPositions) || job.historyPositions < 0) throw new RangeError(`${who}: job ${j}: historyPositions must be an integer >= 0, got ${job.historyPositions}`);
    // The new token(s) also need room: a history that fills the reservation leaves none.
    checkKvCapacity(layout, job.historyPositions + 1, `${who}: job ${j} (layer ${job.layer})`);
    const chunks = Math.ceil(job.historyPositions / chunkPositions);
    for (let c = 0; c < chunks; c++) {
      const positionStart = c * chunkPositions;
      const positions = Math.min(chunkPositions, job.historyPositions - positionStart);
      out.push({ job: j, layer: job.layer, positionStart, positions, chunk: c, chunks, bytes: positions * perPos });
    }
  });
  return out;
}

/** Bytes per `kv` token: a full chunk of K and V in FP32 on chip (what the attention unit consumes). */
export function kvChunkWidthBytes(params: KvPrefetcherParams): number {
  return params.chunkPositions * 2 * params.layout.kvHeads * params.layout.headDim * 4;
}

/**
 * The KV prefetcher: one firing per history chunk; each requests the chunk's bytes from
 * `readResource` (an HBM channel group) and writes a `kv` token (KvChunkMeta, payload
 * KvChunkPayload read from `params.image` in functional mode) readable readLatencyCycles after
 * its last byte. Prefetch on: a source (it starts at cycle 0). Prefetch off: the first chunk of
 * each job also reads a token from `trigger` (one per job with a non-empty history).
 * The output stream's depth is the on-chip buffer (declare it with `bufferChunks`).
 */
export function kvPrefetcherActor(name: string, params: KvPrefetcherParams): ActorSpec {
  const who = `kv-prefetcher '${name}'`;
  if (!Number.isInteger(params.bufferChunks) || params.bufferChunks < 1) throw new RangeError(`${who}: bufferChunks must be an integer >= 1, got ${params.bufferChunks}`);
  if (!Number.isInteger(params.readLatencyCycles) || params.readLatencyCycles < 0) throw new RangeError(`${who}: readLatencyCycles must be an integer >= 0, got ${params.readLatencyCycles}`);
  const schedule = kvPrefetchSchedule(params, who);
  const width = kvChunkWidthBytes(params);
  // Port indices: input trigger, output kv.
  const TRIGGER = [0];
  const NONE: number[] = [];
  // The chunk tokens' metadata, made once (the schedule is static).
  const metas: KvChunkMeta[] = schedule.map(({ job: _job, bytes: _bytes, ...meta }, i) => ({ ...meta, index: i, last: i === schedule.length - 1 }));
  // Reused from firing to firing (the engine keeps no reference).
  const request = { resource: params.readResource, units: 0 };
  const cost = { iiCycles: 1, latencyCycles: params.readLatencyCycles, requests: [request] };
  const image = params.image;
  return {
    name,
    ...(params.prefetch ? {} : { inputs: { trigger: { widthBytes: 4 } } }),
    outputs: { kv: { widthBytes: width } },
    firings: schedule.length,
    resources: [params.readResource],
    ...(params.prefetch ? {} : { reads: (i: number) => (schedule[i]?.chunk === 0 ? TRIGGER : NONE) }),
    cost: (f) => {
      request.units = schedule[f.index]!.bytes;
      return cost;
    },
    emit: (f, out) => {
      out[0] = metas[f.index];
    },
    kernel: (_ins, _outs, f) => {
      if (!image) throw new RangeError(`${who}: functional mode needs params.image (the HBM contents)`);
      const c = schedule[f.index]!;
      return { kv: image.readChunk(c.layer, c.positionStart, c.positions) };
    },
  };
}

/** The KV prefetcher stage: chunked history reads over the kvRead channels, prefetch switchable. */
export const hbmKvPrefetcherStage: StageImplementation<KvPrefetcherParams> = {
  stage: 'kv-prefetcher',
  implementation: 'hbm-chunked',
  defaults: DEFAULT_KV_PREFETCHER_PARAMS,
  actor: kvPrefetcherActor,
};
