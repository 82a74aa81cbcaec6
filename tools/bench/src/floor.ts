import type { ActorSpec, Firing, PortProbe, Recording, TokenMeta } from '@lut-llm/core';

/** What one pass of `replayFloor` did (its checks make the loop's work observable, so it cannot be optimised away). */
export interface FloorReplay {
  /** Firings replayed (= the recording's). */
  readonly firings: number;
  /** Heap pops (one per firing). */
  readonly events: number;
  /** Tokens read whose write cycle is after the read (0 when the recording is consistent). */
  readonly readsBeforeWrite: number;
  /** Writes that found the FIFO holding `depth` tokens or more (tokens count from the producer's start here). */
  readonly writesAtDepth: number;
  /** Last cycle any resource calendar is busy until. */
  readonly busyUntil: number;
}

/**
 * The floor under the engine's cost per firing (issue 16, item 7): a minimal discrete-event loop
 * over a recorded run's firings, in plain typed arrays, doing per firing only what every event
 * engine must do, and nothing the engine does besides:
 * - one event per firing through a binary min-heap of (cycle, firing) keys; an actor's next
 *   firing is queued once its inputs hold tokens and its outputs have room (tested again when a
 *   neighbour reads or writes), so the heap holds ready actors only, as the engine's does;
 * - per FIFO read: pop the token's write cycle from a typed-array ring and test it against the
 *   start cycle; per FIFO write: test the occupancy against the depth and push start + latency;
 * - per resource request: advance the resource's calendar by the units at its rate.
 * Left out (this is the floor, not an engine): the stages' callbacks (rates, cost, metadata),
 * token objects, stall accounting, pipelines and write freezes, arbitration rounds, deciding
 * when an actor can fire (start cycles come from the recording).
 * `withStages`: the same loop also moves the tokens' metadata through object rings and calls
 * each firing's stage callbacks as the engine does (read and write rates, cost, `emit`, or the
 * default metadata), so the difference between the two is what the stages' own code costs.
 */
export function replayFloor(rec: Recording, unitsPerCycle: Float64Array, withStages = false): FloorReplay {
  const n = rec.firings;
  const actors = rec.graph.actors.length;
  // Per actor its firings in order (CSR), and each FIFO's ring (a power of two above the most
  // tokens it ever holds in this replay, measured in a first pass).
  const count = new Int32Array(actors + 1);
  for (let g = 0; g < n; g++) count[rec.actor[g]! + 1]!++;
  for (let a = 0; a < actors; a++) count[a + 1]! += count[a]!;
  const byActor = new Int32Array(n);
  const fill = count.slice(0, actors);
  for (let g = 0; g < n; g++) byActor[fill[rec.actor[g]!]!++] = g;
  const fifos = rec.graph.fifos;
  const held = Int32Array.from(fifos, (f) => f.initialTokens ?? 0);
  const peak = held.slice();
  for (let g = 0; g < n; g++) {
    const s = rec.opStart[g]!;
    const r = s + rec.nReads[g]!;
    for (let k = s; k < r; k++) held[rec.ops[k]!]!--;
    for (let k = r; k < rec.opStart[g + 1]!; k++) {
      const f = rec.ops[k]!;
      if (++held[f]! > peak[f]!) peak[f] = held[f]!;
    }
  }
  const ringBase = new Int32Array(fifos.length);
  const ringMask = new Int32Array(fifos.length);
  let slots = 0;
  for (let f = 0; f < fifos.length; f++) {
    const size = 2 ** Math.ceil(Math.log2(Math.max(2, peak[f]!)));
    ringBase[f] = slots;
    ringMask[f] = size - 1;
    slots += size;
  }
  const ring = new Float64Array(slots);
  const head = new Int32Array(fifos.length);
  const tokens = new Int32Array(fifos.length);
  const depth = Int32Array.from(fifos, (f) => f.depth);
  for (let f = 0; f < fifos.length; f++) tokens[f] = fifos[f]!.initialTokens ?? 0;
  const busy = new Float64Array(unitsPerCycle.length);
  const nextOf = new Int32Array(actors);

  // The heap: keys cycle * 2^20 + firing id (ids < 2^20 here; a key is a double below 2^53).
  const ID_SCALE = 2 ** 20;
  if (n >= ID_SCALE) throw new RangeError(`replayFloor: ${n} firings, keys hold ${ID_SCALE}`);
  const heap = new Float64Array(actors + 1);
  let size = 0;
  const push = (key: number): void => {
    let i = size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p]! <= key) break;
      heap[i] = heap[p]!;
      i = p;
    }
    heap[i] = key;
  };
  const pop = (): number => {
    const top = heap[0]!;
    const last = heap[--size]!;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= size) break;
      if (c + 1 < size && heap[c + 1]! < heap[c]!) c++;
      if (heap[c]! >= last) break;
      heap[i] = heap[c]!;
      i = c;
    }
    if (size > 0) heap[i] = last;
    return top;
  };
  const stages = withStages ? stageReplay(rec, ringBase, ringMask, slots) : undefined;
  // Who produces and consumes each FIFO (a read may let its producer go on, a write its consumer).
  const producer = new Int32Array(fifos.length).fill(-1);
  const consumer = new Int32Array(fifos.length).fill(-1);
  rec.graph.actors.forEach((ga, a) => {
    for (const f of ga.inputs.values()) consumer[f] = a;
    for (const f of ga.outputs.values()) producer[f] = a;
  });
  // An actor has at most one event queued: its next firing, once its inputs hold tokens and its
  // outputs are below the most they held in the recorded run (so the heap holds ready actors
  // only, as the engine's does; tokens count from the producer's start here).
  const queued = new Uint8Array(actors);
  const tryQueue = (a: number): void => {
    if (a < 0 || queued[a] === 1) return;
    const next = count[a]! + nextOf[a]!;
    if (next >= count[a + 1]!) return;
    const g = byActor[next]!;
    const s = rec.opStart[g]!;
    const r = s + rec.nReads[g]!;
    for (let k = s; k < r; k++) if (tokens[rec.ops[k]!]! === 0) return;
    // (A self-loop's token is read by the same firing: its room is not tested.)
    for (let k = r; k < rec.opStart[g + 1]!; k++) if (consumer[rec.ops[k]!] !== a && tokens[rec.ops[k]!]! >= peak[rec.ops[k]!]!) return;
    queued[a] = 1;
    push(rec.startCycle[g]! * ID_SCALE + g);
  };
  for (let a = 0; a < actors; a++) tryQueue(a);

  let events = 0;
  let early = 0;
  let atDepth = 0;
  let busyUntil = 0;
  while (size > 0) {
    const key = pop();
    events++;
    const t = Math.floor(key / ID_SCALE);
    const g = key - t * ID_SCALE;
    const a = rec.actor[g]!;
    queued[a] = 0;
    const index = nextOf[a]!++;
    if (stages) stages.fire(g, a, index, t, head, tokens);
    const s = rec.opStart[g]!;
    const r = s + rec.nReads[g]!;
    for (let k = s; k < r; k++) {
      const f = rec.ops[k]!;
      const h = head[f]!;
      if (ring[ringBase[f]! + h]! > t) early++;
      head[f] = (h + 1) & ringMask[f]!;
      tokens[f]!--;
      if (producer[f] !== a) tryQueue(producer[f]!);
    }
    const ready = t + rec.latencyCycles[g]!;
    for (let k = r; k < rec.opStart[g + 1]!; k++) {
      const f = rec.ops[k]!;
      if (tokens[f]! >= depth[f]!) atDepth++;
      ring[ringBase[f]! + ((head[f]! + tokens[f]!) & ringMask[f]!)] = ready;
      tokens[f]!++;
      if (consumer[f] !== a) tryQueue(consumer[f]!);
    }
    for (let q = rec.reqStart[g]!; q < rec.reqStart[g + 1]!; q++) {
      const ri = rec.reqResource[q]!;
      const end = Math.max(busy[ri]!, t) + Math.ceil(rec.reqUnits[q]! / unitsPerCycle[ri]!);
      busy[ri] = end;
      if (end > busyUntil) busyUntil = end;
    }
    tryQueue(a);
  }
  if (events !== n) throw new Error(`replayFloor: ${events} of ${n} firings replayed (a gate never opened)`);
  return { firings: n, events, readsBeforeWrite: early, writesAtDepth: atDepth, busyUntil };
}

const NO_INPUTS: Readonly<Record<string, TokenMeta>> = Object.freeze({});
const NO_TEST: PortProbe = {
  empty: () => false,
  full: () => false,
};

/**
 * The stage side of `replayFloor(..., true)`: per FIFO a ring of metadata beside the ring of
 * write cycles, per actor a reused firing view and output array, and `fire`, which reads the
 * firing's tokens, calls its callbacks and queues what it writes (the loop then moves the
 * rings' heads and counts).
 */
function stageReplay(rec: Recording, ringBase: Int32Array, ringMask: Int32Array, slots: number) {
  const actors = rec.graph.actors;
  const metas: (TokenMeta | undefined)[] = new Array<TokenMeta | undefined>(slots).fill(undefined);
  for (let f = 0; f < rec.graph.fifos.length; f++) {
    for (let k = 0; k < (rec.graph.fifos[f]!.initialTokens ?? 0); k++) metas[ringBase[f]! + k] = { index: k };
  }
  const inPort = new Int32Array(rec.graph.fifos.length);
  const outPort = new Int32Array(rec.graph.fifos.length);
  const views = actors.map((ga) => {
    [...ga.inputs.values()].forEach((f, k) => (inPort[f] = k));
    [...ga.outputs.values()].forEach((f, k) => (outPort[f] = k));
    const inNames = [...ga.inputs.keys()];
    const view = {
      actor: ga.spec.name,
      index: 0,
      cycle: 0,
      in: new Array<TokenMeta | undefined>(inNames.length).fill(undefined),
      get inputs(): Record<string, TokenMeta> {
        const r: Record<string, TokenMeta> = {};
        inNames.forEach((n, k) => view.in[k] && (r[n] = view.in[k]!));
        return r;
      },
    };
    const spec: ActorSpec = ga.spec;
    // A `mapFirings` behaviour's projection, called directly as the engine calls it (core keeps
    // it under a symbol of that description); another RxJS behaviour is not replayed.
    const behaviour = spec.behaviour as unknown as Record<symbol, (f: Firing) => Readonly<Record<string, TokenMeta>>> | undefined;
    const mapSymbol = behaviour ? Object.getOwnPropertySymbols(behaviour).find((x) => x.description === 'lut-llm.mapFirings') : undefined;
    const mapFn = behaviour && mapSymbol ? behaviour[mapSymbol] : undefined;
    if (behaviour && !mapFn && !spec.emit) throw new Error(`replayFloor: '${spec.name}' has an RxJS behaviour that is not a mapFirings`);
    // The callbacks copied into one object shape (as the engine's ActorRuntime does: specs come
    // in many shapes, and reading them per firing would be a megamorphic load each).
    return {
      name: spec.name,
      view,
      reads: spec.reads,
      writes: spec.writes,
      writesInputs: spec.writes !== undefined && spec.writes.length >= 2,
      costFn: typeof spec.cost === 'function' ? spec.cost : undefined,
      emit: spec.emit,
      mapFn,
      out: new Array<TokenMeta | undefined>(ga.outputs.size).fill(undefined),
      limit: spec.firings ?? Infinity,
      outNames: [...ga.outputs.keys()],
    };
  });
  const fire = (g: number, a: number, index: number, t: number, head: Int32Array, tokens: Int32Array): void => {
    const st = views[a]!;
    const view = st.view;
    const out = st.out;
    view.index = index;
    view.cycle = t;
    const s = rec.opStart[g]!;
    const r = s + rec.nReads[g]!;
    for (let k = s; k < r; k++) {
      const f = rec.ops[k]!;
      const slot = ringBase[f]! + head[f]!;
      view.in[inPort[f]!] = metas[slot];
      metas[slot] = undefined;
    }
    if (st.reads) st.reads(index, NO_TEST);
    if (st.writes) st.writes(index, st.writesInputs ? view.inputs : NO_INPUTS, NO_TEST);
    if (st.costFn) st.costFn(view as Firing);
    if (st.emit) st.emit(view as Firing, out);
    else if (st.mapFn) {
      const named = st.mapFn(view as Firing);
      for (let k = r; k < rec.opStart[g + 1]!; k++) out[outPort[rec.ops[k]!]!] = named[st.outNames[outPort[rec.ops[k]!]!]!];
    } else {
      let m: TokenMeta | undefined;
      for (let k = 0; k < view.in.length && !m; k++) m = view.in[k];
      m ??= { index, last: index === st.limit - 1 };
      for (let k = 0; k < out.length; k++) out[k] = m;
    }
    for (let k = r; k < rec.opStart[g + 1]!; k++) {
      const f = rec.ops[k]!;
      metas[ringBase[f]! + ((head[f]! + tokens[f]!) & ringMask[f]!)] = out[outPort[f]!] ?? missing(st.name, st.outNames[outPort[f]!]!);
    }
    for (let k = s; k < r; k++) view.in[inPort[rec.ops[k]!]!] = undefined;
    for (let k = 0; k < out.length; k++) out[k] = undefined;
  };
  return { fire };
}

function missing(actor: string, port: string): never {
  throw new Error(`replayFloor: '${actor}' wrote no metadata on '${port}'`);
}
