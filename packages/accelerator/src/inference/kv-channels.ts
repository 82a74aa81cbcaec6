import type { KvCacheLayout, KvWriteMeta } from '@lut-llm/contracts';
import { costOf, interleavedRequests, resourceGroup, type ActorSpec, type Firing, type FiringCost, type ResourceGroupSpec } from '@lut-llm/core';
import { kvAddress, kvPrefetchSchedule, type KvPrefetcherParams } from '@lut-llm/kv-prefetcher';

/**
 * The KV cache on its HBM ports, as built: K on two ports, V on two (LUT-FPGA/LUT-LLM
 * `serpens32_none/arm_bd.tcl`: `k_cache_buffer_0/1`, `v_cache_buffer_0/1`), one group of
 * address-interleaved channels (memory `kvCacheChannelGroup`) that the history reads of the KV
 * prefetcher and the new K/V writes of every layer's writer share. A read of layer l+1's history
 * and the write of layer l's new K/V that fall in the same cycles wait for each other on the
 * channels they both touch: the trace names the holder, the summary counts the cycles per channel.
 */

/** A request per channel an access touches. */
type Requests = { resource: string; units: number }[];

/**
 * The channel requests of an access to `positions` positions of `layer` from `positionStart`: one
 * burst per (KV head, K or V) at its layout address (layout [layer][kvHead][kind][position][dim]),
 * each split over the channels its address range covers, summed per channel.
 */
export function kvAccessRequests(group: ResourceGroupSpec, layout: KvCacheLayout, layer: number, positionStart: number, positions: number): Requests {
  const units = new Map<string, number>();
  const bytes = positions * layout.headDim * layout.bytesPerElement;
  for (let h = 0; h < layout.kvHeads; h++) {
    for (const kind of ['k', 'v'] as const) {
      for (const r of interleavedRequests(group, kvAddress(layout, { layer, kvHead: h, kind, position: positionStart }), bytes)) {
        units.set(r.resource, (units.get(r.resource) ?? 0) + r.units);
      }
    }
  }
  return [...units].map(([resource, u]) => ({ resource, units: u }));
}

/** Channel names of a group, in channel order. */
export function groupChannelNames(group: ResourceGroupSpec): string[] {
  return resourceGroup(group).map((r) => r.name);
}

/** `spec` with its HBM requests replaced by `requests(firing)` on the group's channels. */
function onGroup(spec: ActorSpec, group: ResourceGroupSpec, requests: (f: Firing) => Requests): ActorSpec {
  return {
    ...spec,
    resources: groupChannelNames(group),
    // The stage's own cost (II, latency, its checks), with the requests on the group's channels.
    cost: (f): FiringCost => ({ ...costOf(spec, f), requests: requests(f) }),
  };
}

/** The KV prefetcher reading each history chunk from the group at its layout addresses. */
export function prefetcherOnKvGroup(spec: ActorSpec, params: KvPrefetcherParams, group: ResourceGroupSpec): ActorSpec {
  // The schedule is static: one request list per chunk, made once.
  const perChunk = kvPrefetchSchedule(params, spec.name).map((c) => kvAccessRequests(group, params.layout, c.layer, c.positionStart, c.positions));
  return onGroup(spec, group, (f) => perChunk[f.index]!);
}

/** A KV writer writing its new K/V to the group at their layout addresses. */
export function writerOnKvGroup(spec: ActorSpec, layout: KvCacheLayout, group: ResourceGroupSpec): ActorSpec {
  return onGroup(spec, group, (f) => {
    const m = f.inputs['kv'] as KvWriteMeta;
    return kvAccessRequests(group, layout, m.layer, m.positionStart, m.positions);
  });
}
