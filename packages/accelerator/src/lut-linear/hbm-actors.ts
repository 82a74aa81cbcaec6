import { mapFirings, type ActorSpec, type TokenMeta } from '@lut-llm/core';

/**
 * An HBM reader: a source that streams `count` tiles from a channel group, tile i being
 * `bytes(i)` bytes. Each firing requests its bytes from the group (a shared resource of
 * channels x 32 B per cycle) and its tile is readable `latencyCycles` (the HBM read latency)
 * after the last byte arrives; the next request follows as soon as the channel group has served
 * this one (the AXI master keeps requests in flight, bounded by its output FIFO's free slots).
 */
export function hbmReaderActor(o: {
  readonly name: string;
  readonly resource: string;
  readonly widthBytes: number;
  readonly count: number;
  readonly latencyCycles: number;
  readonly bytes: (i: number) => number;
  readonly meta: (i: number) => TokenMeta;
  readonly payload?: (i: number) => unknown;
}): ActorSpec {
  const { payload } = o;
  return {
    name: o.name,
    outputs: { out: { widthBytes: o.widthBytes } },
    firings: o.count,
    resources: [o.resource],
    cost: (f) => ({ iiCycles: 1, latencyCycles: o.latencyCycles, requests: [{ resource: o.resource, units: o.bytes(f.index) }] }),
    behaviour: mapFirings((f) => ({ out: o.meta(f.index) })),
    ...(payload ? { kernel: (_i: unknown, _o: unknown, f: { index: number }) => ({ out: payload(f.index) }) } : {}),
  };
}

/**
 * An HBM writer: a sink that writes each tile it reads (`bytes(meta)` bytes) to a channel group;
 * the run ends when the last write has been served.
 */
export function hbmWriterActor(o: { readonly name: string; readonly resource: string; readonly widthBytes: number; readonly bytes: (meta: TokenMeta) => number }): ActorSpec {
  return {
    name: o.name,
    inputs: { in: { widthBytes: o.widthBytes } },
    resources: [o.resource],
    cost: (f) => ({ iiCycles: 1, latencyCycles: 0, requests: [{ resource: o.resource, units: o.bytes(f.inputs['in']!) }] }),
  };
}
