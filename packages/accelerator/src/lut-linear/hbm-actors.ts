import { portRuns, type ActorSpec, type TokenMeta } from '@lut-llm/core';

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
  /** Present: wait for a token on port `go` before the first request (a chain of loaders). */
  readonly goIn?: unknown;
  /** Present: write a token on port `done` with the last tile (starts the next loader of a chain). */
  readonly goOut?: unknown;
}): ActorSpec {
  const { payload, count } = o;
  const gated = o.goIn !== undefined;
  const chained = o.goOut !== undefined;
  // Port indices: input go; outputs out, done (declaration order below).
  const GO = [0];
  const NONE: number[] = [];
  const OUT = [0];
  const OUT_DONE = [0, 1];
  const DONE_TOKEN: TokenMeta = Object.freeze({ index: 0, last: true });
  // Reused from firing to firing (the engine keeps no reference).
  const request = { resource: o.resource, units: 0 };
  const cost = { iiCycles: 1, latencyCycles: o.latencyCycles, requests: [request] };
  return {
    name: o.name,
    ...(gated ? { inputs: { go: { widthBytes: GO_BYTES } } } : {}),
    outputs: { out: { widthBytes: o.widthBytes }, ...(chained ? { done: { widthBytes: GO_BYTES } } : {}) },
    firings: count,
    resources: [o.resource],
    // As runs (looked up by the engine, not called per firing).
    ...(gated ? { reads: portRuns([[1, GO], [Infinity, NONE]]) } : {}),
    ...(chained ? { writes: portRuns([[Math.max(0, count - 1), OUT], [1, OUT_DONE], [Infinity, OUT]]) } : {}),
    cost: (f) => {
      request.units = o.bytes(f.index);
      return cost;
    },
    emit: (f, out) => {
      out[0] = o.meta(f.index);
      if (chained && f.index === count - 1) out[1] = DONE_TOKEN;
    },
    // A loader hands out payloads made from data already in memory (views of the weights).
    ...(payload ? { kernel: (_i: unknown, _o: unknown, f: { index: number }) => ({ out: payload(f.index) }) } : {}),
  };
}

/** Width of a loader chain's `go` / `done` tokens. */
const GO_BYTES = 4;

/**
 * Splits one full activation vector token ([T][D] FP32, from an on-chip producer) into the op's
 * `count` block tiles. Firing 0 reads the vector; every firing writes one tile, paced by the
 * on-chip stream (`bytes(i)` at 64 B per cycle). Keeps the vector between firings (main thread).
 */
export function vectorSplitterActor(o: {
  readonly name: string;
  readonly inWidthBytes: number;
  readonly outWidthBytes: number;
  readonly count: number;
  readonly bytes: (i: number) => number;
  readonly meta: (i: number) => TokenMeta;
  readonly tile: (x: Float32Array, i: number) => unknown;
}): ActorSpec {
  const IN = [0];
  const NONE: number[] = [];
  const cost = { iiCycles: 1, latencyCycles: 1 };
  let held: Float32Array | undefined;
  return {
    name: o.name,
    inputs: { in: { widthBytes: o.inWidthBytes } },
    outputs: { out: { widthBytes: o.outWidthBytes } },
    firings: o.count,
    reads: (i) => (i === 0 ? IN : NONE),
    cost: (f) => {
      cost.iiCycles = Math.max(1, Math.ceil(o.bytes(f.index) / STREAM_BYTES_PER_CYCLE));
      return cost;
    },
    emit: (f, out) => {
      out[0] = o.meta(f.index);
    },
    kernel: (inputs, _outs, f) => {
      if (f.index === 0) held = inputs['in'] as Float32Array;
      if (!held) throw new Error(`${o.name}: no activation vector`);
      return { out: o.tile(held, f.index) };
    },
  };
}

/** On-chip stream bytes per cycle (one 512-bit word). */
const STREAM_BYTES_PER_CYCLE = 64;

/**
 * Collects the op's `count` output tiles ({y} of outputs [outStart, outEnd) for T tokens) into one
 * full vector token [T][M] for the on-chip consumer, written with the last tile.
 */
export function vectorCollectorActor(o: {
  readonly name: string;
  readonly inWidthBytes: number;
  readonly outWidthBytes: number;
  readonly count: number;
  readonly tokens: number;
  readonly outFeatures: number;
  readonly bytes: (m: TokenMeta) => number;
  readonly bytesPerCycle: number;
}): ActorSpec {
  const OUT = [0];
  const NONE: number[] = [];
  const cost = { iiCycles: 1, latencyCycles: 1 };
  const T = o.tokens;
  const M = o.outFeatures;
  let acc: Float32Array | undefined;
  return {
    name: o.name,
    inputs: { in: { widthBytes: o.inWidthBytes } },
    outputs: { out: { widthBytes: o.outWidthBytes } },
    firings: o.count,
    writes: (i) => (i === o.count - 1 ? OUT : NONE),
    cost: (f) => {
      cost.iiCycles = Math.max(1, Math.ceil(o.bytes(f.in[0]!) / o.bytesPerCycle));
      return cost;
    },
    emit: (f, out) => {
      if (f.index === o.count - 1) out[0] = { rows: T, tokens: T, op: f.in[0]!['op'], index: 0, last: true };
    },
    kernel: (inputs, outs, f) => {
      if (f.index === 0) acc = new Float32Array(T * M);
      const m = f.inputs['in'] as { outStart: number; outEnd: number };
      const y = (inputs['in'] as { y: Float32Array }).y;
      const w = m.outEnd - m.outStart;
      for (let t = 0; t < T; t++) acc!.set(y.subarray(t * w, (t + 1) * w), t * M + m.outStart);
      return outs['out'] ? { out: acc } : {};
    },
  };
}

/**
 * An HBM writer: a sink that writes each tile it reads (`bytes(meta)` bytes) to a channel group;
 * the run ends when the last write has been served.
 */
export function hbmWriterActor(o: { readonly name: string; readonly resource: string; readonly widthBytes: number; readonly bytes: (meta: TokenMeta) => number }): ActorSpec {
  const request = { resource: o.resource, units: 0 };
  const cost = { iiCycles: 1, latencyCycles: 0, requests: [request] };
  return {
    name: o.name,
    inputs: { in: { widthBytes: o.widthBytes } },
    resources: [o.resource],
    cost: (f) => {
      request.units = o.bytes(f.in[0]!);
      return cost;
    },
  };
}
