import type { ActorSpec } from '@lut-llm/core';
import type { KvWriteMeta } from '@lut-llm/contracts';
import { checkKvCapacity, kvBytesPerPosition } from './layout.js';
import type { KvWriterParams } from './params.js';

/** Bytes per `kv` input token of the writer: `maxPositionsPerToken` positions of K and V in FP32. */
export function kvWriterWidthBytes(params: KvWriterParams, maxPositionsPerToken = 1): number {
  return maxPositionsPerToken * 2 * params.layout.kvHeads * params.layout.headDim * 4;
}

/**
 * The KV writer: reads new K/V (KvWriteMeta; payload KvChunkPayload) and writes them to HBM at
 * their layout addresses: positions x kvBytesPerPosition bytes on `writeResource`. A sink: the
 * data land in HBM (functional runs apply them to a KvCacheImage after the step). Positions past
 * the reservation are an error.
 */
export function kvWriterActor(name: string, params: KvWriterParams, maxPositionsPerToken = 1): ActorSpec {
  const who = `kv-writer '${name}'`;
  const perPos = kvBytesPerPosition(params.layout);
  // Reused from firing to firing (the engine keeps no reference); input port 0 is `kv`.
  const request = { resource: params.writeResource, units: 0 };
  const cost = { iiCycles: 1, latencyCycles: params.writeLatencyCycles, requests: [request] };
  return {
    name,
    inputs: { kv: { widthBytes: kvWriterWidthBytes(params, maxPositionsPerToken) } },
    resources: [params.writeResource],
    cost: (f) => {
      const m = f.in[0] as KvWriteMeta;
      if (!Number.isInteger(m.positions) || m.positions < 1 || m.positions > maxPositionsPerToken) {
        throw new RangeError(`${who}: a token carries 1..${maxPositionsPerToken} positions, got ${String(m.positions)}`);
      }
      checkKvCapacity(params.layout, m.positionStart + m.positions, `${who} (layer ${m.layer})`);
      request.units = m.positions * perPos;
      return cost;
    },
  };
}
